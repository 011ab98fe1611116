using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Torch.Native;

// Declarations of the shim's C ABI (src/Native/include/vaetorch.h). Handles returned as
// TensorHandle are invalid (null) on error; int results are 0 on success and -1 on error.
#pragma warning disable IDE1006 // native names
internal static unsafe partial class NativeMethods
{
    private const string Lib = NativeLoader.LibraryName;

    internal static string LastError() => Marshal.PtrToStringUTF8(vt_last_error()) ?? string.Empty;

    // ---- runtime
    [LibraryImport(Lib)] internal static partial IntPtr vt_last_error();
    [LibraryImport(Lib)] internal static partial int vt_last_error_kind();
    [LibraryImport(Lib)] internal static partial IntPtr vt_version();
    [LibraryImport(Lib)] internal static partial IntPtr vt_config();
    [LibraryImport(Lib)] internal static partial int vt_get_num_threads();
    [LibraryImport(Lib)] internal static partial int vt_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int vt_retain_freed_memory(long trimThreshold, long mmapThreshold);
    [LibraryImport(Lib)] internal static partial int vt_set_num_interop_threads(int n);
    [LibraryImport(Lib)] internal static partial int vt_manual_seed(long seed);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_rng_get_state();
    [LibraryImport(Lib)] internal static partial int vt_rng_set_state(TensorHandle state);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_cuda_rng_get_state(int device);
    [LibraryImport(Lib)] internal static partial int vt_cuda_rng_set_state(int device, TensorHandle state);
    [LibraryImport(Lib)] internal static partial int vt_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int vt_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int vt_cuda_synchronize(int device);
    [LibraryImport(Lib)] internal static partial int vt_has_mkldnn();
    [LibraryImport(Lib)] internal static partial int vt_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial int vt_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial long vt_native_live_tensors();

    // ---- lifetime and metadata
    [LibraryImport(Lib)] internal static partial void vt_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial long vt_dim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long vt_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_sizes(TensorHandle t, long* output, int cap);
    [LibraryImport(Lib)] internal static partial int vt_strides(TensorHandle t, long* output, int cap);
    [LibraryImport(Lib)] internal static partial int vt_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_device_type(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_device_index(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_set_requires_grad(TensorHandle t, int r);
    [LibraryImport(Lib)] internal static partial int vt_is_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_is_leaf(TensorHandle t);

    // ---- factories
    [LibraryImport(Lib)] internal static partial TensorHandle vt_empty(long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_zeros(long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_ones(long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_full(long* shape, int ndim, double value, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_randn(long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_rand(long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_randint(long low, long high, long* shape, int ndim, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_randperm(long n, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_arange(double start, double end, double step, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_linspace(double start, double end, long steps, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_eye(long n, long m, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_multinomial(TensorHandle probs, long n, int replacement);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_bernoulli(TensorHandle probs);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_zeros_like(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_ones_like(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_randn_like(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_rand_like(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_full_like(TensorHandle t, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_from_data(void* data, long nbytes, long* shape, int ndim, int dtype);
    [LibraryImport(Lib)] internal static partial int vt_copy_to_host(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int vt_item_double(TensorHandle t, out double value);
    [LibraryImport(Lib)] internal static partial int vt_item_long(TensorHandle t, out long value);

    // ---- conversion and copies
    [LibraryImport(Lib)] internal static partial TensorHandle vt_to(TensorHandle t, int dtype, int dt, int di, int nonBlocking, int copy);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_pin_memory(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_is_pinned(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_clone(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_alias(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_copy_(TensorHandle dst, TensorHandle src, int nonBlocking);
    [LibraryImport(Lib)] internal static partial int vt_fill_(TensorHandle t, double value);
    [LibraryImport(Lib)] internal static partial int vt_zero_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int vt_uniform_(TensorHandle t, double from, double to);
    [LibraryImport(Lib)] internal static partial int vt_normal_(TensorHandle t, double mean, double std);
    [LibraryImport(Lib)] internal static partial int vt_set_data(TensorHandle t, TensorHandle src);

    // ---- pointwise
    [LibraryImport(Lib)] internal static partial TensorHandle vt_unary(int op, TensorHandle a);
    [LibraryImport(Lib)] internal static partial int vt_unary_(int op, TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_binary(int op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int vt_binary_(int op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_binary_scalar(int op, TensorHandle a, double s);
    [LibraryImport(Lib)] internal static partial int vt_binary_scalar_(int op, TensorHandle a, double s);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_add_scaled(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int vt_add_scaled_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_scalar_pow(double b, TensorHandle e);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_where(TensorHandle c, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_clamp(TensorHandle a, double min, double max);
    [LibraryImport(Lib)] internal static partial int vt_clamp_(TensorHandle a, double min, double max);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_leaky_relu(TensorHandle a, double slope);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_elu(TensorHandle a, double alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_softplus(TensorHandle a, double beta, double threshold);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_hardtanh(TensorHandle a, double min, double max);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_softmax(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_log_softmax(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_dropout(TensorHandle a, double p, int train);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_cumsum(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_lerp(TensorHandle a, TensorHandle b, double w);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_masked_fill(TensorHandle a, TensorHandle mask, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_nan_to_num(TensorHandle a, double nan, double posinf, double neginf);

    // ---- reductions
    [LibraryImport(Lib)] internal static partial TensorHandle vt_reduce(int op, TensorHandle a, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_var(TensorHandle a, long* dims, int ndims, int unbiased, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_std(TensorHandle a, long* dims, int ndims, int unbiased, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_norm(TensorHandle a, double p, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial int vt_max_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int vt_min_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_argmax(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_argmin(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial int vt_topk(TensorHandle a, long k, long dim, int largest, int sorted, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int vt_sort(TensorHandle a, long dim, int descending, out TensorHandle values, out TensorHandle indices);

    // ---- shape and indexing
    [LibraryImport(Lib)] internal static partial TensorHandle vt_reshape(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_view(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_permute(TensorHandle a, long* dims, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_transpose(TensorHandle a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_flatten(TensorHandle a, long start, long end);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_squeeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_squeeze_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_expand(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_repeat(TensorHandle a, long* reps, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_cat(IntPtr* ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_stack(IntPtr* ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial int vt_chunk(TensorHandle a, long chunks, long dim, IntPtr* output, int cap, out int count);
    [LibraryImport(Lib)] internal static partial int vt_split(TensorHandle a, long size, long dim, IntPtr* output, int cap, out int count);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_select(TensorHandle a, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_slice(TensorHandle a, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_gather(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_masked_select(TensorHandle a, TensorHandle mask);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_flip(TensorHandle a, long* dims, int ndims);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_tril(TensorHandle a, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_diagonal(TensorHandle a, long offset, long d0, long d1);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_diag_embed(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_nonzero(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_bincount(TensorHandle a, long minlength);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_histc(TensorHandle a, long bins, double min, double max);

    // ---- linear algebra
    [LibraryImport(Lib)] internal static partial TensorHandle vt_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_mm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_linear(TensorHandle x, TensorHandle w, IntPtr b);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_cdist(TensorHandle a, TensorHandle b, double p);
    [LibraryImport(Lib)] internal static partial int vt_eigh(TensorHandle a, out TensorHandle eigenvalues, out TensorHandle eigenvectors);
    [LibraryImport(Lib)] internal static partial int vt_slogdet(TensorHandle a, out TensorHandle sign, out TensorHandle logabsdet);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_outer(TensorHandle a, TensorHandle b);

    // ---- fused kernels
    [LibraryImport(Lib)] internal static partial int vt_mixture_logsumexp(TensorHandle z, TensorHandle means, TensorHandle logVars, TensorHandle logWeights,
        int withUsage, out TensorHandle lse, out TensorHandle meanUsage);
    [LibraryImport(Lib)] internal static partial int vt_mixture_monte_carlo(TensorHandle postMean, TensorHandle postLogVar, TensorHandle noise,
        TensorHandle means, TensorHandle logVars, TensorHandle logWeights, int withUsage, out TensorHandle meanLse, out TensorHandle meanUsage);
    [LibraryImport(Lib)] internal static partial int vt_monte_carlo_noise(long sets, long samples, long batch, long dim,
        out TensorHandle noise, out TensorHandle meanSquaredNorm);

    // ---- neural-network functions (optional tensors as raw pointers, null allowed)
    [LibraryImport(Lib)] internal static partial TensorHandle vt_conv2d(TensorHandle x, TensorHandle w, IntPtr b, long sh, long sw, long ph, long pw, long dh, long dw, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_conv_transpose2d(TensorHandle x, TensorHandle w, IntPtr b, long sh, long sw, long ph, long pw, long oph, long opw, long dh, long dw, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_avg_pool2d(TensorHandle x, long kh, long kw, long sh, long sw, long ph, long pw);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_max_pool2d(TensorHandle x, long kh, long kw, long sh, long sw, long ph, long pw);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_adaptive_avg_pool2d(TensorHandle x, long oh, long ow);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_upsample_nearest2d(TensorHandle x, long oh, long ow);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_upsample_bilinear2d(TensorHandle x, long oh, long ow, int alignCorners);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_pad(TensorHandle x, long* pads, int npads, int mode, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_batch_norm(TensorHandle x, IntPtr w, IntPtr b, IntPtr rm, IntPtr rv, int training, double momentum, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_layer_norm(TensorHandle x, long* shape, int ndim, IntPtr w, IntPtr b, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_group_norm(TensorHandle x, long groups, IntPtr w, IntPtr b, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_instance_norm(TensorHandle x, IntPtr w, IntPtr b, IntPtr rm, IntPtr rv, int useInputStats, double momentum, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_mse_loss(TensorHandle x, TensorHandle y, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_l1_loss(TensorHandle x, TensorHandle y, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_bce_with_logits(TensorHandle x, TensorHandle y, IntPtr weight, IntPtr posWeight, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_cross_entropy(TensorHandle logits, TensorHandle target, int reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_nll_loss(TensorHandle logp, TensorHandle target, int reduction);

    // ---- autograd
    [LibraryImport(Lib)] internal static partial int vt_backward(TensorHandle t, IntPtr grad, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int vt_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int vt_set_grad(TensorHandle t, IntPtr grad);
    [LibraryImport(Lib)] internal static partial int vt_zero_grad(IntPtr* parameters, int n, int setToNone);
    [LibraryImport(Lib)] internal static partial int vt_autograd_grad(IntPtr* outputs, int nOut, IntPtr* inputs, int nIn, IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    // ---- optimizers
    [LibraryImport(Lib)] internal static partial int vt_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, int n, double lr, double momentum, double dampening, double weightDecay, int nesterov, int firstStep);
    [LibraryImport(Lib)] internal static partial int vt_adam_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int decoupled, long step);
    [LibraryImport(Lib)] internal static partial int vt_clip_grad_norm(IntPtr* parameters, int n, double maxNorm, double normType, out double totalNorm);
    [LibraryImport(Lib)] internal static partial int vt_grads_finite(IntPtr* parameters, int n, out int finite);

    // ---- TorchScript and images
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial ModuleHandle vt_jit_load(string path, int dt, int di);
    [LibraryImport(Lib)] internal static partial TensorHandle vt_jit_forward(ModuleHandle m, IntPtr* inputs, int n);
    [LibraryImport(Lib)] internal static partial int vt_jit_set_train(ModuleHandle m, int train);
    [LibraryImport(Lib)] internal static partial void vt_jit_free(IntPtr m);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int vt_png_write(string path, byte* pixels, int width, int height, int channels);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial TensorHandle vt_image_read(string path, int channels);

    /// <summary>Throws the last native error when <paramref name="status"/> is negative.</summary>
    internal static void Check(int status)
    {
        if (status < 0) throw TorchException.FromLastError();
    }
}
