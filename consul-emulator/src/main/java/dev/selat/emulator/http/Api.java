package dev.selat.emulator.http;

/** Every endpoint family of the HTTP API v1, on one router. */
public final class Api {
  private Api() {}

  public static Router router(Site site) {
    Router r = new Router();
    new StatusEndpoint(site).routes(r);
    new CatalogEndpoint(site).routes(r);
    new HealthEndpoint(site).routes(r);
    new KvEndpoint(site).routes(r);
    new AgentEndpoint(site).routes(r);
    new AgentInfoEndpoint(site).routes(r);
    new AgentHealthEndpoint(site).routes(r);
    new SessionEndpoint(site).routes(r);
    new TxnEndpoint(site).routes(r);
    new CoordinateEndpoint(site).routes(r);
    new AclEndpoint(site).routes(r);
    new OperatorEndpoint(site).routes(r);
    new EventEndpoint(site).routes(r);
    return r;
  }
}
