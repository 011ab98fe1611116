using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ImagingGridTests
{
    [TestMethod]
    public void GrayGridDecodesToTheExpectedPixels()
    {
        using var files = new DataTestFiles();
        // Three 2×2 gray images with values 0.2·k for pixel k of image i, plus i·0.1.
        var values = new float[3 * 4];
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 4; k++) values[4 * i + k] = 0.2f * k + 0.1f * i;
        using var images = torch.tensor(values, new long[] { 3, 1, 2, 2 });
        var path = files.PathOf("grid.png");
        long baseline = LiveTensors.Count;
        ImageGrid.Save(path, images, columns: 2, padding: 1);
        Assert.AreEqual(baseline, LiveTensors.Count);

        using var decoded = ImageCodec.ReadImage(path);
        // 2 columns, 2 rows of 2×2 cells with one pixel of padding: 2·3 + 1 = 7 pixels each way, one channel.
        CollectionAssert.AreEqual(new long[] { 7, 7, 1 }, decoded.shape);
        var expected = new byte[49];
        for (int i = 0; i < 3; i++)
        {
            int top = 1 + (i / 2) * 3, left = 1 + (i % 2) * 3;
            for (int k = 0; k < 4; k++)
                expected[(top + k / 2) * 7 + left + k % 2] = (byte)Math.Floor(values[4 * i + k] * 255 + 0.5);
        }
        CollectionAssert.AreEqual(expected, decoded.data<byte>().ToArray());
    }

    [TestMethod]
    public void ColorGridClampsAndKeepsChannelOrder()
    {
        using var files = new DataTestFiles();
        // One 1×2 RGB image: pixel 0 = (1, 0.5, 0), pixel 1 = (−1, 2, NaN).
        using var image = torch.tensor(new float[] { 1, -1, 0.5f, 2, 0, float.NaN }, new long[] { 1, 3, 1, 2 });
        var path = files.PathOf("sub", "rgb.png");
        ImageGrid.Save(path, image, padding: 0);
        using var decoded = ImageCodec.ReadImage(path);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, decoded.shape);
        CollectionAssert.AreEqual(new byte[] { 255, 128, 0, 0, 255, 0 }, decoded.data<byte>().ToArray());
    }

    [TestMethod]
    public void DefaultLayoutIsNearlySquareWithBackgroundInEmptyCells()
    {
        using var images = torch.ones(5, 1, 3, 3);
        using var grid = ImageGrid.Compose(images, padding: 2, background: 0.5);
        // ⌈√5⌉ = 3 columns, 2 rows.
        CollectionAssert.AreEqual(new long[] { 2 * 5 + 2, 3 * 5 + 2, 1 }, grid.shape);
        var px = grid.data<byte>().ToArray();
        int width = 17;
        Assert.AreEqual(255, px[2 * width + 2], "first cell");
        Assert.AreEqual(128, px[0], "padding");
        Assert.AreEqual(128, px[(7 + 1) * width + 12 + 1], "the sixth, unused cell");
    }

    [TestMethod]
    public void BadInputIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Compose(torch.ones(1, 4, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Compose(torch.ones(1, 2, 4, 4)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGrid.Compose(torch.ones(1, 1, 4, 4), padding: -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGrid.Compose(torch.ones(1, 1, 4, 4), columns: 0));
    }
}
