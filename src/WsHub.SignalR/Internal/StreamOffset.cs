using System.Globalization;

namespace WsHub.SignalR.Internal;

/// <summary>
/// A Redis stream entry id, <c>milliseconds-sequence</c>, compared as Redis compares them: by milliseconds, then by
/// sequence. <see cref="Zero"/> is the position before the first entry of any stream.
/// </summary>
internal readonly record struct StreamOffset(ulong Milliseconds, ulong Sequence) : IComparable<StreamOffset>
{
    public static readonly StreamOffset Zero = new(0, 0);

    public static bool TryParse(string? text, out StreamOffset offset)
    {
        offset = Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        offset = new StreamOffset(milliseconds, sequence);
        return true;
    }

    /// <exception cref="FormatException">The text is not a stream entry id.</exception>
    public static StreamOffset Parse(string text)
    {
        return TryParse(text, out var offset)
            ? offset
            : throw new FormatException($"'{text}' is not a Redis stream entry id such as 1700000000000-0.");
    }

    public int CompareTo(StreamOffset other)
    {
        var byMilliseconds = Milliseconds.CompareTo(other.Milliseconds);
        return byMilliseconds != 0 ? byMilliseconds : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(StreamOffset left, StreamOffset right) => left.CompareTo(right) < 0;

    public static bool operator >(StreamOffset left, StreamOffset right) => left.CompareTo(right) > 0;

    public static bool operator <=(StreamOffset left, StreamOffset right) => left.CompareTo(right) <= 0;

    public static bool operator >=(StreamOffset left, StreamOffset right) => left.CompareTo(right) >= 0;

    public override string ToString() =>
        Milliseconds.ToString(CultureInfo.InvariantCulture) + "-" + Sequence.ToString(CultureInfo.InvariantCulture);
}
