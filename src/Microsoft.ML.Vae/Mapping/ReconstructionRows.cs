using System.ComponentModel;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Output row of the reconstruction mapping: the reconstructed sample, planar, scaled to the output range.</summary>
public interface IReconstructionRow
{
    /// <summary>Values of the reconstruction, row-major ([planes, height, width] for images).</summary>
    float[] Reconstruction { get; set; }
}

// One row type per offered image shape, for the same reason as the latent rows: ConvertToImage needs a
// vector of known size, and only compile-time [VectorType] dimensions survive Model.Save / Model.Load.

/// <summary>Reconstruction as 1×28×28 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowGray28 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(1, 28, 28)]
    public float[] Reconstruction { get; set; } = new float[784];
}

/// <summary>Reconstruction as 3×28×28 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowRgb28 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(3, 28, 28)]
    public float[] Reconstruction { get; set; } = new float[2352];
}

/// <summary>Reconstruction as 1×32×32 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowGray32 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(1, 32, 32)]
    public float[] Reconstruction { get; set; } = new float[1024];
}

/// <summary>Reconstruction as 3×32×32 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowRgb32 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(3, 32, 32)]
    public float[] Reconstruction { get; set; } = new float[3072];
}

/// <summary>Reconstruction as 1×64×64 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowGray64 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(1, 64, 64)]
    public float[] Reconstruction { get; set; } = new float[4096];
}

/// <summary>Reconstruction as 3×64×64 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowRgb64 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(3, 64, 64)]
    public float[] Reconstruction { get; set; } = new float[12288];
}

/// <summary>Reconstruction as 1×128×128 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowGray128 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(1, 128, 128)]
    public float[] Reconstruction { get; set; } = new float[16384];
}

/// <summary>Reconstruction as 3×128×128 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowRgb128 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(3, 128, 128)]
    public float[] Reconstruction { get; set; } = new float[49152];
}

/// <summary>Reconstruction as 1×256×256 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowGray256 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(1, 256, 256)]
    public float[] Reconstruction { get; set; } = new float[65536];
}

/// <summary>Reconstruction as 3×256×256 planar floats.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowRgb256 : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction), VectorType(3, 256, 256)]
    public float[] Reconstruction { get; set; } = new float[196608];
}

/// <summary>Reconstruction of a vector-shaped model: a vector whose size is known only per row.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ReconstructionRowVector : IReconstructionRow
{
    /// <inheritdoc />
    [ColumnName(MappingColumns.Reconstruction)]
    public float[] Reconstruction { get; set; } = [];
}
