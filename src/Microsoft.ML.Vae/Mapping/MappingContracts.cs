namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Contract names under which the custom mappings are saved in ML.NET .zip files. A name encodes the
/// component, the payload format version (v2: the model travels in the row as embedded text) and the output shape; it must never change once released.
/// When the payload format changes after a release, add new names and keep the old factories loadable.
/// </summary>
internal static class MappingContracts
{
    private const string Featurizer = "Microsoft.ML.Vae.Featurizer.v2.";
    private const string Reconstruction = "Microsoft.ML.Vae.Reconstruction.v2.";

    /// <summary>The mapping that outputs the constant key of the embedded-model lookup.</summary>
    public const string ModelKey = "Microsoft.ML.Vae.ModelKey.v1";

    public const string Latent2 = Featurizer + "d2";
    public const string Latent4 = Featurizer + "d4";
    public const string Latent8 = Featurizer + "d8";
    public const string Latent16 = Featurizer + "d16";
    public const string Latent32 = Featurizer + "d32";
    public const string Latent64 = Featurizer + "d64";
    public const string Latent128 = Featurizer + "d128";
    public const string Latent256 = Featurizer + "d256";
    public const string Latent512 = Featurizer + "d512";

    public const string Gray28 = Reconstruction + "1x28x28";
    public const string Rgb28 = Reconstruction + "3x28x28";
    public const string Gray32 = Reconstruction + "1x32x32";
    public const string Rgb32 = Reconstruction + "3x32x32";
    public const string Gray64 = Reconstruction + "1x64x64";
    public const string Rgb64 = Reconstruction + "3x64x64";
    public const string Gray128 = Reconstruction + "1x128x128";
    public const string Rgb128 = Reconstruction + "3x128x128";
    public const string Gray256 = Reconstruction + "1x256x256";
    public const string Rgb256 = Reconstruction + "3x256x256";
    public const string Vector = Reconstruction + "vector";
}
