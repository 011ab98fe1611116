using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ImagingPlotTests
{
    [TestMethod]
    public void ScatterPointsLandOnTheirPixels()
    {
        using var scope = torch.NewDisposeScope();
        // Size 10 over [−1, 1]²: (0.05, 0.05) → column 5, row 4; (−0.95, −0.95) → column 0, row 9.
        var points = torch.tensor(new float[] { 0.05f, 0.05f, -0.95f, -0.95f, 3f, 0f, float.NaN, 0f }, new long[] { 4, 2 });
        var options = new ScatterPlotOptions { Size = 10, PointRadius = 0, Opacity = 1, DrawAxes = false };
        var red = new Rgb(200, 10, 20);
        var pixels = ScatterPlot.Render([(points, red)], range: 1, options).data<byte>().ToArray();
        Assert.AreEqual(300, pixels.Length);
        for (int row = 0; row < 10; row++)
            for (int col = 0; col < 10; col++)
            {
                bool hit = (row, col) is (4, 5) or (9, 0);
                int at = (row * 10 + col) * 3;
                var rgb = (pixels[at], pixels[at + 1], pixels[at + 2]);
                Assert.AreEqual(hit ? ((byte)200, (byte)10, (byte)20) : ((byte)255, (byte)255, (byte)255), rgb, $"pixel ({row}, {col})");
            }
    }

    [TestMethod]
    public void OverlappingPointsDarkenAndDiscsSpread()
    {
        using var scope = torch.NewDisposeScope();
        var points = torch.tensor(new float[] { 0.05f, 0.05f, 0.05f, 0.05f }, new long[] { 2, 2 });
        var black = new Rgb(0, 0, 0);
        var one = ScatterPlot.Render([(points.narrow(0, 0, 1), black)], 1, new ScatterPlotOptions { Size = 10, PointRadius = 1, Opacity = 0.5, DrawAxes = false }).data<byte>().ToArray();
        var two = ScatterPlot.Render([(points, black)], 1, new ScatterPlotOptions { Size = 10, PointRadius = 1, Opacity = 0.5, DrawAxes = false }).data<byte>().ToArray();
        int center = (4 * 10 + 5) * 3, neighbour = (3 * 10 + 5) * 3, far = 0;
        Assert.AreEqual(128, one[center]);
        Assert.AreEqual(64, two[center]);
        Assert.AreEqual(128, one[neighbour], "the disc covers the pixel above");
        Assert.AreEqual(255, one[far]);
    }

    [TestMethod]
    public void SamplerPlotIsAReadablePng()
    {
        using var files = new DataTestFiles();
        var sampler = ToyDatasets.Create("8gaussians");
        torch.manual_seed(0);
        using var points = sampler.Sample(2000);
        var path = files.PathOf("scatter.png");
        long baseline = LiveTensors.Count;
        ScatterPlot.Save(path, points, sampler);
        Assert.AreEqual(baseline, LiveTensors.Count);
        using var decoded = ImageCodec.ReadImage(path);
        CollectionAssert.AreEqual(new long[] { 512, 512, 3 }, decoded.shape);
        using var dark = decoded.lt(128);
        using var count = dark.sum();
        Assert.IsTrue(count.ItemAsDouble() > 100, "the points are visible");
    }

    [TestMethod]
    public void HeatmapMapsExtremesToThePaletteEnds()
    {
        using var scope = torch.NewDisposeScope();
        var density = torch.tensor(new float[] { 0, 1, 2, 3, 4, 8 }, new long[] { 2, 3 });
        var palette = DensityHeatmap.Palette();
        CollectionAssert.AreEqual(new long[] { 256, 3 }, palette.shape);
        var p = palette.data<byte>().ToArray();
        CollectionAssert.AreEqual(new byte[] { 68, 1, 84 }, p[..3]);
        CollectionAssert.AreEqual(new byte[] { 253, 231, 37 }, p[^3..]);

        var rgb = DensityHeatmap.Render(density, new DensityHeatmapOptions { PixelsPerCell = 2 });
        CollectionAssert.AreEqual(new long[] { 4, 6, 3 }, rgb.shape);
        var px = rgb.data<byte>().ToArray();
        CollectionAssert.AreEqual(p[..3], px[..3], "minimum, top left");
        CollectionAssert.AreEqual(p[..3], px[3..6], "enlarged cell");
        CollectionAssert.AreEqual(p[^3..], px[^3..], "maximum, bottom right");
        // Value 4 of 8 → palette entry round(127.5) = 128.
        int middle = (2 * 6 + 2) * 3;
        CollectionAssert.AreEqual(p[(128 * 3)..(129 * 3)], px[middle..(middle + 3)]);

        var flipped = DensityHeatmap.Render(density, new DensityHeatmapOptions { OriginAtBottom = true }).data<byte>().ToArray();
        CollectionAssert.AreEqual(p[..3], flipped[9..12], "row 0 drawn at the bottom");

        var flat = DensityHeatmap.Render(torch.full(3, 3, 5.0)).data<byte>().ToArray();
        Assert.IsTrue(flat.Chunk(3).All(c => c.SequenceEqual(p[..3])));
        Assert.ThrowsExactly<ArgumentException>(() => DensityHeatmap.Render(torch.ones(3)));
    }

    [TestMethod]
    public void HeatmapFileDecodes()
    {
        using var files = new DataTestFiles();
        using var density = torch.rand(20, 30);
        var path = files.PathOf("heat.png");
        DensityHeatmap.Save(path, density, new DensityHeatmapOptions { LogScale = true });
        using var decoded = ImageCodec.ReadImage(path);
        CollectionAssert.AreEqual(new long[] { 20, 30, 3 }, decoded.shape);
    }
}
