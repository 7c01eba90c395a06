namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// Locates folders of the repository from the test output folder.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootValue = new(FindRoot);

    /// <summary>The repository root, the folder that contains WsHub.SignalR.sln.</summary>
    public static string Root => RootValue.Value;

    /// <summary>The folder of the Node test client, which contains its package.json.</summary>
    public static string NodeTestClient => Path.Combine(Root, "tests", "WsHub.SignalR.Tests", "Node");

    /// <summary>The web root of the sample chat.</summary>
    public static string SampleWebRoot => Path.Combine(Root, "src", "SampleChat", "wwwroot");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WsHub.SignalR.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException(
            $"WsHub.SignalR.sln was not found above {AppContext.BaseDirectory}. Run the tests from a repository checkout.");
    }
}
