var app = WebApplication.CreateBuilder(args).Build();
app.Run();

/// <summary>Entry point of the sample, visible to the tests.</summary>
public partial class Program;
