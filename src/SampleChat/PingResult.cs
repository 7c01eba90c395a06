namespace SampleChat;

/// <summary>
/// The reply of a pinged connection.
/// </summary>
/// <param name="Reply">The text the pinged client returned.</param>
/// <param name="RoundTripMilliseconds">The time from sending the ping to receiving the reply, in milliseconds.</param>
public sealed record PingResult(string Reply, double RoundTripMilliseconds);
