using Attend.Tokenization;

namespace Attend.Inference;

/// <summary>Text to the token ids a model takes: at least one token, at most its max_len unless truncation is asked for.</summary>
public static class ModelInput
{
    /// <summary>
    /// Encodes <paramref name="text"/>; longer than <paramref name="maxLen"/> is an <see cref="InputTooLongException"/>
    /// unless <paramref name="truncate"/>, which keeps the first max_len tokens, or with <paramref name="keepEnd"/> the
    /// last ones (a prompt's most recent context). A text of no tokens is an <see cref="ArgumentException"/>.
    /// </summary>
    public static int[] Encode(Tokenizer tokenizer, string text, int maxLen, bool truncate, bool keepEnd = false)
    {
        int[] ids = tokenizer.EncodeToIds(text);
        if (ids.Length == 0)
            throw new ArgumentException("the input is empty (it encodes to no tokens)");
        if (ids.Length <= maxLen)
            return ids;
        if (!truncate)
            throw new InputTooLongException(ids.Length, maxLen);
        return keepEnd ? ids[^maxLen..] : ids[..maxLen];
    }

    /// <summary>True when <paramref name="properties"/> holds "truncate" set to true (a bool, or a JSON true).</summary>
    internal static bool AsksToTruncate(IReadOnlyDictionary<string, object?>? properties) =>
        properties is not null && properties.TryGetValue("truncate", out object? value)
        && (value is true || (value is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True }));
}
