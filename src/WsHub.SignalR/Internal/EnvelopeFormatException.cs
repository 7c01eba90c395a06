namespace WsHub.SignalR.Internal;

/// <summary>
/// A message on a backplane channel is not a valid envelope of a version this instance reads.
/// </summary>
internal sealed class EnvelopeFormatException : Exception
{
    public EnvelopeFormatException(string message)
        : base(message)
    {
    }

    public EnvelopeFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
