using System.Globalization;
using Microsoft.ML.Vae;

namespace VaeMetricTable;

/// <summary>Prints <see cref="VaeMetrics"/> rows as a fixed-width table.</summary>
public static class MetricTable
{
    /// <summary>Writes the table to the console.</summary>
    public static void Print(IReadOnlyList<VaeMetrics> rows)
    {
        string F(double? v, string format = "F3") => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"{"model",-14}{"kind",-12}{"FID",10}{"NLL",12}{"sym. KL",10}{"recon MSE",11}{"probe acc",11}");
        foreach (var m in rows)
            Console.WriteLine($"{m.Name,-14}{m.Kind,-12}{F(m.FidValue, "F1"),10}{F(m.Nll?.Nll, "F1"),12}{F(m.SymmetricKl?.Value),10}" +
                              $"{F(m.ReconstructionMse, "F4"),11}{F(m.LinearProbeAccuracy),11}");
        var features = rows.Select(r => r.FidFeatures).FirstOrDefault(f => f is not null);
        if (features is not null) Console.WriteLine($"FID features: {features}");
    }
}
