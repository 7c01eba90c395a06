namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// Converts backplanes to and from the names used on the command line and in the results.
/// </summary>
internal static class BackplaneNames
{
    public static string ToName(Backplane backplane) => backplane switch
    {
        Backplane.None => "none",
        Backplane.Official => "official",
        Backplane.WsHub => "wshub",
        _ => throw new ArgumentOutOfRangeException(nameof(backplane), backplane, "Unknown backplane."),
    };

    public static Backplane Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => Backplane.None,
        "official" => Backplane.Official,
        "wshub" => Backplane.WsHub,
        _ => throw new ArgumentException($"Unknown backplane '{name}'. Use none, official or wshub.", nameof(name)),
    };
}
