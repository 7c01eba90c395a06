using System.Diagnostics.CodeAnalysis;

namespace SampleChat;

/// <summary>
/// Validation rules for the user names, room names and message texts that clients send.
/// </summary>
public static class ChatInput
{
    /// <summary>The maximum length, in characters, of a user name or room name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The maximum length, in characters, of one message text.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>
    /// Checks a user name or room name: after trimming it must be 1 to <see cref="MaxNameLength"/> characters
    /// long and contain no control characters.
    /// </summary>
    /// <param name="kind">What the value names, such as "user name", used in the error.</param>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The trimmed value when it is valid.</param>
    /// <param name="error">Why the value is invalid, when it is.</param>
    /// <returns>True when the value is valid.</returns>
    public static bool TryValidateName(
        string kind,
        string? value,
        [NotNullWhen(true)] out string? name,
        [NotNullWhen(false)] out string? error)
    {
        name = null;
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = $"The {kind} is missing.";
            return false;
        }

        if (trimmed.Length > MaxNameLength)
        {
            error = $"The {kind} is {trimmed.Length} characters long; the maximum is {MaxNameLength}.";
            return false;
        }

        if (trimmed.Any(char.IsControl))
        {
            error = $"The {kind} contains control characters.";
            return false;
        }

        name = trimmed;
        error = null;
        return true;
    }

    /// <summary>
    /// Checks a message text: it must contain a non-blank character and be at most <see cref="MaxTextLength"/>
    /// characters long.
    /// </summary>
    /// <param name="text">The text to check.</param>
    /// <param name="error">Why the text is invalid, when it is.</param>
    /// <returns>True when the text is valid.</returns>
    public static bool TryValidateText(string? text, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The message text is empty.";
            return false;
        }

        if (text.Length > MaxTextLength)
        {
            error = $"The message text is {text.Length} characters long; the maximum is {MaxTextLength}.";
            return false;
        }

        error = null;
        return true;
    }
}
