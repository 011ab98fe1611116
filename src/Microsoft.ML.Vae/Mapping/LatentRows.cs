using System.ComponentModel;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Output row of the featurizer mapping: posterior mean and log-variance of the latent code.</summary>
public interface ILatentRow
{
    /// <summary>Posterior mean μ(x).</summary>
    float[] Mean { get; set; }

    /// <summary>Posterior log-variance log σ²(x).</summary>
    float[] LogVariance { get; set; }
}

// One row type per offered latent size: the [VectorType] size must be a compile-time constant so that
// it survives Model.Save / Model.Load (a size set at run time reloads as a vector of unknown size).

/// <summary>Featurizer output for a 2-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow2 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(2)]
    public float[] Mean { get; set; } = new float[2];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(2)]
    public float[] LogVariance { get; set; } = new float[2];
}

/// <summary>Featurizer output for a 4-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow4 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(4)]
    public float[] Mean { get; set; } = new float[4];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(4)]
    public float[] LogVariance { get; set; } = new float[4];
}

/// <summary>Featurizer output for a 8-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow8 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(8)]
    public float[] Mean { get; set; } = new float[8];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(8)]
    public float[] LogVariance { get; set; } = new float[8];
}

/// <summary>Featurizer output for a 16-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow16 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(16)]
    public float[] Mean { get; set; } = new float[16];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(16)]
    public float[] LogVariance { get; set; } = new float[16];
}

/// <summary>Featurizer output for a 32-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow32 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(32)]
    public float[] Mean { get; set; } = new float[32];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(32)]
    public float[] LogVariance { get; set; } = new float[32];
}

/// <summary>Featurizer output for a 64-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow64 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(64)]
    public float[] Mean { get; set; } = new float[64];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(64)]
    public float[] LogVariance { get; set; } = new float[64];
}

/// <summary>Featurizer output for a 128-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow128 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(128)]
    public float[] Mean { get; set; } = new float[128];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(128)]
    public float[] LogVariance { get; set; } = new float[128];
}

/// <summary>Featurizer output for a 256-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow256 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(256)]
    public float[] Mean { get; set; } = new float[256];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(256)]
    public float[] LogVariance { get; set; } = new float[256];
}

/// <summary>Featurizer output for a 512-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LatentRow512 : ILatentRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentMean), VectorType(512)]
    public float[] Mean { get; set; } = new float[512];

    /// <inheritdoc />
    [ColumnName(MappingColumns.LatentLogVariance), VectorType(512)]
    public float[] LogVariance { get; set; } = new float[512];
}
