namespace SampleGateway;

/// <summary>
/// The entry point. It sits in a namespace, rather than in top-level statements, because those would create a
/// public global Program class that clashes with SampleChat's in the tests, which reference both projects.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Serves one address and forwards every request, WebSockets included, to the SampleChat instances.
    /// </summary>
    /// <param name="args">Command-line arguments, read as configuration by <see cref="GatewayApp.Create"/>.</param>
    public static void Main(string[] args)
    {
        var app = GatewayApp.Create(args);
        app.Run();
    }
}
