namespace FashionMnistFeaturizer;

/// <summary>What the trained model predicts for one <see cref="ModelInput"/>.</summary>
public sealed class ModelOutput
{
    /// <summary>The predicted class name.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Class probabilities, in the order of the label's key values.</summary>
    public float[] Score { get; set; } = [];

    /// <summary>The VAE's latent code (posterior mean) of the image, after mean/variance normalization.</summary>
    public float[] Features { get; set; } = [];
}
