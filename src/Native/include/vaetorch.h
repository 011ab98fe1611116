/*
 * vaetorch.h — the plain C ABI of the Microsoft.ML.Vae libtorch shim.
 *
 * Conventions
 *   - A vt_tensor is an owned heap copy of an at::Tensor; release it with vt_free.
 *   - Functions returning vt_tensor return NULL on error. Functions returning int return
 *     0 on success and -1 on error; results travel through out-parameters (NULL is then a
 *     legitimate "undefined tensor" result, e.g. a missing gradient).
 *   - After an error, vt_last_error() holds a one-line message (thread-local) and
 *     vt_last_error_kind() one of VT_ERR_*.
 *   - dtype arguments are c10::ScalarType codes; devices are (device_type, index) with
 *     device_type 0 = CPU, 1 = CUDA.
 *   - Optional tensor arguments accept NULL.
 *   - No C++ exception ever crosses this boundary.
 */
#ifndef VAETORCH_H
#define VAETORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VT_API __declspec(dllexport)
#else
#define VT_API __attribute__((visibility("default")))
#endif

typedef struct vt_tensor_s* vt_tensor;
typedef struct vt_module_s* vt_module;

enum {
  VT_ERR_NONE = 0,
  VT_ERR_GENERIC = 1,
  VT_ERR_INDEX = 2,
  VT_ERR_VALUE = 3,
  VT_ERR_TYPE = 4,
  VT_ERR_NOT_IMPLEMENTED = 5,
  VT_ERR_OUT_OF_MEMORY = 6
};

/* ---- runtime ------------------------------------------------------------------------ */
VT_API const char* vt_last_error(void);
VT_API int vt_last_error_kind(void);
VT_API const char* vt_version(void);            /* libtorch version string */
VT_API const char* vt_config(void);             /* at::show_config() */
VT_API int vt_get_num_threads(void);
VT_API int vt_set_num_threads(int n);
/* Keeps freed memory in the process (glibc: M_TRIM_THRESHOLD / M_MMAP_THRESHOLD, clamped to INT_MAX);
   1 when applied, 0 when the C library has no such settings, -1 on error. Process-wide. */
VT_API int vt_retain_freed_memory(int64_t trim_threshold, int64_t mmap_threshold);
VT_API int vt_set_num_interop_threads(int n);
VT_API int vt_manual_seed(int64_t seed);
VT_API vt_tensor vt_rng_get_state(void);        /* CPU default generator state (uint8) */
VT_API int vt_rng_set_state(vt_tensor state);
VT_API vt_tensor vt_cuda_rng_get_state(int device);
VT_API int vt_cuda_rng_set_state(int device, vt_tensor state);
VT_API int vt_cuda_is_available(void);
VT_API int vt_cuda_device_count(void);
VT_API int vt_cuda_synchronize(int device);
VT_API int vt_has_mkldnn(void);
VT_API int vt_is_grad_enabled(void);
VT_API int vt_set_grad_enabled(int enabled);
VT_API int64_t vt_native_live_tensors(void);    /* handles allocated and not freed */

/* ---- tensor lifetime and metadata ----------------------------------------------------- */
VT_API void vt_free(vt_tensor t);
VT_API int64_t vt_dim(vt_tensor t);
VT_API int64_t vt_numel(vt_tensor t);
VT_API int vt_sizes(vt_tensor t, int64_t* out, int cap);   /* returns ndim, or -1 */
VT_API int vt_strides(vt_tensor t, int64_t* out, int cap);
VT_API int vt_dtype(vt_tensor t);
VT_API int vt_device_type(vt_tensor t);
VT_API int vt_device_index(vt_tensor t);
VT_API int vt_requires_grad(vt_tensor t);
VT_API int vt_set_requires_grad(vt_tensor t, int requires_grad);
VT_API int vt_is_contiguous(vt_tensor t);
VT_API int vt_is_leaf(vt_tensor t);
VT_API int vt_defined(vt_tensor t);

/* ---- factories ---------------------------------------------------------------------- */
VT_API vt_tensor vt_empty(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_zeros(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_ones(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_full(const int64_t* shape, int ndim, double value, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_randn(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_rand(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_randperm(int64_t n, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_arange(double start, double end, double step, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_linspace(double start, double end, int64_t steps, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_eye(int64_t n, int64_t m, int dtype, int dev_type, int dev_index);
VT_API vt_tensor vt_multinomial(vt_tensor probs, int64_t n, int replacement);
VT_API vt_tensor vt_bernoulli(vt_tensor probs);
VT_API vt_tensor vt_zeros_like(vt_tensor t);
VT_API vt_tensor vt_ones_like(vt_tensor t);
VT_API vt_tensor vt_randn_like(vt_tensor t);
VT_API vt_tensor vt_rand_like(vt_tensor t);
VT_API vt_tensor vt_full_like(vt_tensor t, double value);
/* Copies nbytes of host data into a new CPU tensor of the given dtype and shape. */
VT_API vt_tensor vt_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype);
/* Copies the tensor's elements (converted to CPU, contiguous, same dtype) into dst. */
VT_API int vt_copy_to_host(vt_tensor t, void* dst, int64_t nbytes);
VT_API int vt_item_double(vt_tensor t, double* out);
VT_API int vt_item_long(vt_tensor t, int64_t* out);

/* ---- conversion and copies -------------------------------------------------------------- */
VT_API vt_tensor vt_to(vt_tensor t, int dtype, int dev_type, int dev_index, int non_blocking, int copy);
VT_API vt_tensor vt_pin_memory(vt_tensor t);
VT_API int vt_is_pinned(vt_tensor t);
VT_API vt_tensor vt_detach(vt_tensor t);
VT_API vt_tensor vt_clone(vt_tensor t);
VT_API vt_tensor vt_contiguous(vt_tensor t);
VT_API vt_tensor vt_alias(vt_tensor t);         /* new handle to the same tensor */
VT_API int vt_copy_(vt_tensor dst, vt_tensor src, int non_blocking);
VT_API int vt_fill_(vt_tensor t, double value);
VT_API int vt_zero_(vt_tensor t);
VT_API int vt_uniform_(vt_tensor t, double from, double to);
VT_API int vt_normal_(vt_tensor t, double mean, double std);
/* Replaces t's data (and device/dtype) with src's, keeping t's identity (PyTorch's `t.data = src`). */
VT_API int vt_set_data(vt_tensor t, vt_tensor src);

/* ---- pointwise ------------------------------------------------------------------------ */
/* Unary op codes (vt_unary / vt_unary_). */
enum {
  VT_NEG = 0, VT_ABS, VT_EXP, VT_LOG, VT_LOG1P, VT_EXPM1, VT_SQRT, VT_RSQRT, VT_SQUARE,
  VT_SIGMOID, VT_TANH, VT_RELU, VT_GELU, VT_SIGN, VT_FLOOR, VT_CEIL, VT_ROUND, VT_RECIPROCAL,
  VT_SIN, VT_COS, VT_ERF, VT_LOGICAL_NOT, VT_ISNAN, VT_ISINF, VT_ISFINITE, VT_LOG_SIGMOID,
  VT_TRUNC, VT_LGAMMA, VT_SILU
};
/* Binary op codes (vt_binary / vt_binary_ / vt_binary_scalar / vt_binary_scalar_). */
enum {
  VT_ADD = 0, VT_SUB, VT_MUL, VT_DIV, VT_POW, VT_MAXIMUM, VT_MINIMUM, VT_EQ, VT_NE, VT_LT,
  VT_LE, VT_GT, VT_GE, VT_LOGICAL_AND, VT_LOGICAL_OR, VT_REMAINDER, VT_ATAN2, VT_RSUB,
  VT_FLOOR_DIVIDE
};
VT_API vt_tensor vt_unary(int op, vt_tensor a);
VT_API int vt_unary_(int op, vt_tensor a);
VT_API vt_tensor vt_binary(int op, vt_tensor a, vt_tensor b);
VT_API int vt_binary_(int op, vt_tensor a, vt_tensor b);
VT_API vt_tensor vt_binary_scalar(int op, vt_tensor a, double s);
VT_API int vt_binary_scalar_(int op, vt_tensor a, double s);
VT_API vt_tensor vt_add_scaled(vt_tensor a, vt_tensor b, double alpha);   /* a + alpha*b */
VT_API int vt_add_scaled_(vt_tensor a, vt_tensor b, double alpha);
VT_API vt_tensor vt_scalar_pow(double base, vt_tensor exponent);           /* base ** t */
VT_API vt_tensor vt_where(vt_tensor cond, vt_tensor a, vt_tensor b);
VT_API vt_tensor vt_clamp(vt_tensor a, double min, double max);           /* NaN bound = none */
VT_API int vt_clamp_(vt_tensor a, double min, double max);
VT_API vt_tensor vt_leaky_relu(vt_tensor a, double slope);
VT_API vt_tensor vt_elu(vt_tensor a, double alpha);
VT_API vt_tensor vt_softplus(vt_tensor a, double beta, double threshold);
VT_API vt_tensor vt_hardtanh(vt_tensor a, double min, double max);
VT_API vt_tensor vt_softmax(vt_tensor a, int64_t dim);
VT_API vt_tensor vt_log_softmax(vt_tensor a, int64_t dim);
VT_API vt_tensor vt_dropout(vt_tensor a, double p, int train);
VT_API vt_tensor vt_cumsum(vt_tensor a, int64_t dim);
VT_API vt_tensor vt_lerp(vt_tensor a, vt_tensor b, double w);
VT_API vt_tensor vt_masked_fill(vt_tensor a, vt_tensor mask, double value);
VT_API vt_tensor vt_nan_to_num(vt_tensor a, double nan, double posinf, double neginf);

/* ---- reductions ------------------------------------------------------------------------- */
/* Reduction op codes for vt_reduce (over dims, ndims = 0 means all dims). */
enum { VT_SUM = 0, VT_MEAN, VT_PROD_UNUSED, VT_LOGSUMEXP, VT_AMAX, VT_AMIN, VT_ALL, VT_ANY };
VT_API vt_tensor vt_reduce(int op, vt_tensor a, const int64_t* dims, int ndims, int keepdim);
VT_API vt_tensor vt_var(vt_tensor a, const int64_t* dims, int ndims, int unbiased, int keepdim);
VT_API vt_tensor vt_std(vt_tensor a, const int64_t* dims, int ndims, int unbiased, int keepdim);
VT_API vt_tensor vt_norm(vt_tensor a, double p, const int64_t* dims, int ndims, int keepdim);
VT_API int vt_max_dim(vt_tensor a, int64_t dim, int keepdim, vt_tensor* values, vt_tensor* indices);
VT_API int vt_min_dim(vt_tensor a, int64_t dim, int keepdim, vt_tensor* values, vt_tensor* indices);
VT_API vt_tensor vt_argmax(vt_tensor a, int64_t dim, int keepdim);
VT_API vt_tensor vt_argmin(vt_tensor a, int64_t dim, int keepdim);
VT_API int vt_topk(vt_tensor a, int64_t k, int64_t dim, int largest, int sorted, vt_tensor* values, vt_tensor* indices);
VT_API int vt_sort(vt_tensor a, int64_t dim, int descending, vt_tensor* values, vt_tensor* indices);

/* ---- shape and indexing ------------------------------------------------------------------- */
VT_API vt_tensor vt_reshape(vt_tensor a, const int64_t* shape, int ndim);
VT_API vt_tensor vt_view(vt_tensor a, const int64_t* shape, int ndim);
VT_API vt_tensor vt_permute(vt_tensor a, const int64_t* dims, int ndim);
VT_API vt_tensor vt_transpose(vt_tensor a, int64_t d0, int64_t d1);
VT_API vt_tensor vt_flatten(vt_tensor a, int64_t start, int64_t end);
VT_API vt_tensor vt_squeeze(vt_tensor a, int64_t dim);
VT_API vt_tensor vt_squeeze_all(vt_tensor a);
VT_API vt_tensor vt_unsqueeze(vt_tensor a, int64_t dim);
VT_API vt_tensor vt_expand(vt_tensor a, const int64_t* shape, int ndim);
VT_API vt_tensor vt_repeat(vt_tensor a, const int64_t* reps, int ndim);
VT_API vt_tensor vt_cat(const vt_tensor* ts, int n, int64_t dim);
VT_API vt_tensor vt_stack(const vt_tensor* ts, int n, int64_t dim);
/* Split into pieces; writes up to cap handles into out and the piece count into count. */
VT_API int vt_chunk(vt_tensor a, int64_t chunks, int64_t dim, vt_tensor* out, int cap, int* count);
VT_API int vt_split(vt_tensor a, int64_t size, int64_t dim, vt_tensor* out, int cap, int* count);
VT_API vt_tensor vt_narrow(vt_tensor a, int64_t dim, int64_t start, int64_t length);
VT_API vt_tensor vt_select(vt_tensor a, int64_t dim, int64_t index);
VT_API vt_tensor vt_slice(vt_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step);
VT_API vt_tensor vt_index_select(vt_tensor a, int64_t dim, vt_tensor index);
VT_API vt_tensor vt_gather(vt_tensor a, int64_t dim, vt_tensor index);
VT_API vt_tensor vt_scatter_add(vt_tensor a, int64_t dim, vt_tensor index, vt_tensor src);
VT_API vt_tensor vt_masked_select(vt_tensor a, vt_tensor mask);
VT_API vt_tensor vt_flip(vt_tensor a, const int64_t* dims, int ndims);
VT_API vt_tensor vt_tril(vt_tensor a, int64_t diagonal);
VT_API vt_tensor vt_diagonal(vt_tensor a, int64_t offset, int64_t d0, int64_t d1);
VT_API vt_tensor vt_diag_embed(vt_tensor a);
VT_API vt_tensor vt_nonzero(vt_tensor a);
VT_API vt_tensor vt_bincount(vt_tensor a, int64_t minlength);
VT_API vt_tensor vt_histc(vt_tensor a, int64_t bins, double min, double max);

/* ---- linear algebra --------------------------------------------------------------------- */
VT_API vt_tensor vt_matmul(vt_tensor a, vt_tensor b);
VT_API vt_tensor vt_mm(vt_tensor a, vt_tensor b);
VT_API vt_tensor vt_bmm(vt_tensor a, vt_tensor b);
VT_API vt_tensor vt_linear(vt_tensor x, vt_tensor w, vt_tensor b_or_null);
VT_API vt_tensor vt_cdist(vt_tensor a, vt_tensor b, double p);
VT_API int vt_eigh(vt_tensor a, vt_tensor* eigenvalues, vt_tensor* eigenvectors);
VT_API int vt_slogdet(vt_tensor a, vt_tensor* sign, vt_tensor* logabsdet);
VT_API vt_tensor vt_outer(vt_tensor a, vt_tensor b);
/* log Σ_k exp(logweights_k) N(z_n; means_k, diag exp(logvars_k)) without the −(d/2)·log 2π constant, [N],
   and (with_usage) the mean responsibility of every component over the N rows, [K]. Differentiable in
   all inputs (first order). Fused CPU kernel: float32 CPU tensors only. */
VT_API int vt_mixture_logsumexp(vt_tensor z, vt_tensor means, vt_tensor logvars, vt_tensor logweights, int with_usage,
                                vt_tensor* lse, vt_tensor* mean_usage);
/* The same mixture log-density averaged over Monte-Carlo samples of diagonal Gaussians:
   mean_lse[b] = (1/M) Σ_m log p(post_mean_b + exp(post_logvar_b / 2) ⊙ noise_mb), [B]; noise [M, B, d]
   or [M, 1, d] (shared across rows; not differentiated); with_usage: mean responsibilities over all
   B·M samples, [K]. Differentiable in the posterior and the mixture (first order). Float32 CPU only. */
VT_API int vt_mixture_monte_carlo(vt_tensor post_mean, vt_tensor post_logvar, vt_tensor noise, vt_tensor means,
                                  vt_tensor logvars, vt_tensor logweights, int with_usage,
                                  vt_tensor* mean_lse, vt_tensor* mean_usage);
/* Standard-normal noise [sets, samples, batch, dim] (float32, CPU) from a counter-based generator seeded
   by libtorch's default CPU generator, and (1/samples) Σ_m Σ_j noise² for every set and batch row,
   [sets, batch]. The numbers do not depend on the thread count. */
VT_API int vt_monte_carlo_noise(int64_t sets, int64_t samples, int64_t batch, int64_t dim,
                                vt_tensor* noise, vt_tensor* mean_squared_norm);

/* ---- neural-network functions -------------------------------------------------------------- */
VT_API vt_tensor vt_conv2d(vt_tensor x, vt_tensor w, vt_tensor b_or_null,
                           int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                           int64_t dh, int64_t dw, int64_t groups);
VT_API vt_tensor vt_conv_transpose2d(vt_tensor x, vt_tensor w, vt_tensor b_or_null,
                                     int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                                     int64_t oph, int64_t opw, int64_t dh, int64_t dw, int64_t groups);
VT_API vt_tensor vt_avg_pool2d(vt_tensor x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw);
VT_API vt_tensor vt_max_pool2d(vt_tensor x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw);
VT_API vt_tensor vt_adaptive_avg_pool2d(vt_tensor x, int64_t oh, int64_t ow);
VT_API vt_tensor vt_upsample_nearest2d(vt_tensor x, int64_t oh, int64_t ow);
VT_API vt_tensor vt_upsample_bilinear2d(vt_tensor x, int64_t oh, int64_t ow, int align_corners);
VT_API vt_tensor vt_pad(vt_tensor x, const int64_t* pads, int npads, int mode, double value); /* mode 0 constant, 1 reflect, 2 replicate */
VT_API vt_tensor vt_batch_norm(vt_tensor x, vt_tensor w, vt_tensor b, vt_tensor running_mean,
                               vt_tensor running_var, int training, double momentum, double eps);
VT_API vt_tensor vt_layer_norm(vt_tensor x, const int64_t* shape, int ndim, vt_tensor w, vt_tensor b, double eps);
VT_API vt_tensor vt_group_norm(vt_tensor x, int64_t groups, vt_tensor w, vt_tensor b, double eps);
VT_API vt_tensor vt_instance_norm(vt_tensor x, vt_tensor w, vt_tensor b, vt_tensor running_mean,
                                  vt_tensor running_var, int use_input_stats, double momentum, double eps);
/* reduction: 0 none, 1 mean, 2 sum */
VT_API vt_tensor vt_mse_loss(vt_tensor x, vt_tensor y, int reduction);
VT_API vt_tensor vt_l1_loss(vt_tensor x, vt_tensor y, int reduction);
VT_API vt_tensor vt_bce_with_logits(vt_tensor x, vt_tensor y, vt_tensor weight, vt_tensor pos_weight, int reduction);
VT_API vt_tensor vt_cross_entropy(vt_tensor logits, vt_tensor target, int reduction);
VT_API vt_tensor vt_nll_loss(vt_tensor logp, vt_tensor target, int reduction);

/* ---- autograd ------------------------------------------------------------------------ */
VT_API int vt_backward(vt_tensor t, vt_tensor grad_or_null, int retain_graph, int create_graph);
VT_API int vt_grad(vt_tensor t, vt_tensor* out);          /* *out = NULL when undefined */
VT_API int vt_set_grad(vt_tensor t, vt_tensor grad_or_null);
VT_API int vt_zero_grad(const vt_tensor* params, int n, int set_to_none);
/* Gradients of outputs w.r.t. inputs; grad_outputs may be NULL; results[i] = NULL when unused. */
VT_API int vt_autograd_grad(const vt_tensor* outputs, int n_out, const vt_tensor* inputs, int n_in,
                            const vt_tensor* grad_outputs, int retain_graph, int create_graph,
                            int allow_unused, vt_tensor* results);

/* ---- fused optimizer steps (one call per step over all parameters) ------------------------- */
VT_API int vt_sgd_step(const vt_tensor* params, vt_tensor* momentum_buffers, int n, double lr,
                       double momentum, double dampening, double weight_decay, int nesterov, int first_step);
VT_API int vt_adam_step(const vt_tensor* params, const vt_tensor* exp_avg, const vt_tensor* exp_avg_sq,
                        int n, double lr, double beta1, double beta2, double eps, double weight_decay,
                        int decoupled_weight_decay, int64_t step);
VT_API int vt_clip_grad_norm(const vt_tensor* params, int n, double max_norm, double norm_type, double* total_norm);
VT_API int vt_grads_finite(const vt_tensor* params, int n, int* finite);

/* ---- TorchScript and images (io) ---------------------------------------------------------- */
VT_API vt_module vt_jit_load(const char* path, int dev_type, int dev_index);
VT_API vt_tensor vt_jit_forward(vt_module m, const vt_tensor* inputs, int n);
VT_API int vt_jit_set_train(vt_module m, int train);
VT_API void vt_jit_free(vt_module m);
/* PNG encode of interleaved uint8 pixels (HWC); channels 1, 3 or 4. */
VT_API int vt_png_write(const char* path, const uint8_t* pixels, int width, int height, int channels);
/* Decodes an image file into a uint8 HWC tensor, forcing `channels` (0 = as stored). */
VT_API vt_tensor vt_image_read(const char* path, int channels);

#ifdef __cplusplus
}
#endif

#endif /* VAETORCH_H */
