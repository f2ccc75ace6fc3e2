using System.Globalization;
using System.Text;

namespace Attend.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs: the diagonal holds the right answers. Accuracy is the diagonal over
/// the total; a class's accuracy (its recall) is its diagonal entry over its row.
/// </summary>
public sealed class ConfusionMatrix
{
    /// <summary>An empty matrix over <paramref name="classes"/>.</summary>
    public ConfusionMatrix(IReadOnlyList<string> classes)
    {
        Classes = classes;
        Counts = new int[classes.Count, classes.Count];
    }

    /// <summary>The class names, in class-id order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Counts[true, predicted].</summary>
    public int[,] Counts { get; }

    /// <summary>The number of examples counted.</summary>
    public int Total { get; private set; }

    /// <summary>Counts one example.</summary>
    public void Add(int actual, int predicted)
    {
        Counts[actual, predicted]++;
        Total++;
    }

    /// <summary>The share of examples whose prediction is their class.</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Enumerable.Range(0, Classes.Count).Sum(i => Counts[i, i]) / Total;

    /// <summary>The examples of class <paramref name="c"/>.</summary>
    public int Support(int c) => Enumerable.Range(0, Classes.Count).Sum(j => Counts[c, j]);

    /// <summary>The share of class <paramref name="c"/>'s examples predicted as <paramref name="c"/> (NaN without examples).</summary>
    public double ClassAccuracy(int c) => Support(c) == 0 ? double.NaN : (double)Counts[c, c] / Support(c);

    /// <summary>The matrix as aligned text: one row per true class, one column per predicted class.</summary>
    public override string ToString()
    {
        int n = Classes.Count;
        int labelWidth = Math.Max("true \\ predicted".Length, Classes.Max(c => c.Length));
        int cell = Math.Max(5, Enumerable.Range(0, n).Max(i => Enumerable.Range(0, n).Max(j => Counts[i, j].ToString(CultureInfo.InvariantCulture).Length)) + 1);
        var sb = new StringBuilder();
        sb.Append("true \\ predicted".PadRight(labelWidth));
        for (int j = 0; j < n; j++)
            sb.Append(' ').Append(j.ToString(CultureInfo.InvariantCulture).PadLeft(cell));
        sb.AppendLine();
        for (int i = 0; i < n; i++)
        {
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{i} {Classes[i]}").PadRight(labelWidth));
            for (int j = 0; j < n; j++)
                sb.Append(' ').Append(Counts[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(cell));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
