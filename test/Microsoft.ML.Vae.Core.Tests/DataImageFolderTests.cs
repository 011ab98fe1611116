using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataImageFolderTests
{
    private static void SolidPng(string path, int width, int height, byte r, byte g, byte b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3) { pixels[i] = r; pixels[i + 1] = g; pixels[i + 2] = b; }
        ImageCodec.WritePng(path, pixels, width, height, 3);
    }

    [TestMethod]
    public void ReadImageReturnsTheWrittenPixels()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("p.png");
        byte[] pixels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
        ImageCodec.WritePng(path, pixels, 3, 2, 3);
        using var rgb = ImageCodec.ReadImage(path);
        CollectionAssert.AreEqual(new long[] { 2, 3, 3 }, rgb.shape);
        Assert.AreEqual(ScalarType.Byte, rgb.dtype);
        CollectionAssert.AreEqual(pixels, rgb.data<byte>().ToArray());
        using var rgba = ImageCodec.ReadImage(path, 4);
        CollectionAssert.AreEqual(new long[] { 2, 3, 4 }, rgba.shape);
        Assert.ThrowsExactly<FileNotFoundException>(() => ImageCodec.ReadImage(files.PathOf("none.png")));
        Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.WritePng(path, pixels, 3, 3, 3));
    }

    [TestMethod]
    public void ClassFoldersGiveLabelsAndImagesAreResized()
    {
        using var files = new DataTestFiles();
        SolidPng(files.PathOf("dog", "a.png"), 12, 8, 0, 255, 0);
        SolidPng(files.PathOf("cat", "b.png"), 6, 6, 255, 0, 51);
        SolidPng(files.PathOf("cat", "c.png"), 5, 9, 0, 0, 255);
        File.WriteAllText(files.PathOf("cat", "notes.txt"), "not an image");

        CollectionAssert.AreEqual(new[] { "cat", "dog" }, ImageFolder.ClassNames(files.Root).ToArray());
        long baseline = LiveTensors.Count;
        using (var data = ImageFolder.Load(files.Root, size: 4))
        {
            CollectionAssert.AreEqual(new long[] { 3, 3, 4, 4 }, data.Features.shape);
            CollectionAssert.AreEqual(new long[] { 0, 0, 1 }, data.Labels!.data<long>().ToArray());
            var x = data.Features.data<float>().ToArray();
            // Solid colors stay solid through cropping and resizing: image 0 is cat/b (255, 0, 51).
            for (int i = 0; i < 16; i++)
            {
                Assert.AreEqual(1f, x[i], 1e-5f);
                Assert.AreEqual(0f, x[16 + i], 1e-5f);
                Assert.AreEqual(0.2f, x[32 + i], 1e-5f);
            }
        }
        Assert.AreEqual(baseline, LiveTensors.Count);

        using var gray = ImageFolder.Load(files.Root, new ImageFolderOptions { Size = 2, Channels = 1, Limit = 2 });
        CollectionAssert.AreEqual(new long[] { 2, 1, 2, 2 }, gray.Features.shape);
    }

    [TestMethod]
    public void ResizeCropsTheCenterSquare()
    {
        using var scope = torch.NewDisposeScope();
        // 2 rows × 6 columns, gray: columns 0,1 and 4,5 are black, the centre 2,3 white.
        var hwc = torch.tensor(new byte[] { 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0 }, new long[] { 2, 6, 1 });
        var cropped = ImageFolder.Resize(hwc, 2, centerCrop: true);
        CollectionAssert.AreEqual(new float[] { 1, 1, 1, 1 }, cropped.data<float>().ToArray());
        var stretched = ImageFolder.Resize(hwc, 2, centerCrop: false).data<float>().ToArray();
        Assert.IsTrue(stretched.Max() < 1, "stretching mixes in the black sides");
    }

    [TestMethod]
    public void EmptyOrBrokenFoldersAreRejected()
    {
        using var files = new DataTestFiles();
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageFolder.Load(files.PathOf("absent"), 8));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(files.Root, 8));
        StringAssert.Contains(e.Message, "no images");

        File.WriteAllText(files.PathOf("broken.png"), "this is not a PNG");
        long baseline = LiveTensors.Count;
        e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(files.Root, 8));
        StringAssert.Contains(e.Message, "broken.png");
        Assert.AreEqual(baseline, LiveTensors.Count);
    }
}
