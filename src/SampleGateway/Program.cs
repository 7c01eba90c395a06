using SampleGateway;

// Serves one address and forwards every request, WebSockets included, to the SampleChat instances.
var app = GatewayApp.Create(args);
app.Run();
