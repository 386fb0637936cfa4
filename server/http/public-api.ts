import { frontDoorRefusal } from "./front-door";
import { jsonError } from "./rest";

/**
 * Every handler of the public REST API (app/api/v1) is wrapped in this: proxy.ts skips those
 * routes (see its matcher), so the front-door checks run here instead, before the handler.
 * tests/access-matrix.test.ts sends a foreign Host to every v1 route: a handler exported
 * without this wrapper fails it.
 */
export function publicApiRoute(handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response>;
export function publicApiRoute<Context>(handler: (request: Request, context: Context) => Promise<Response>): (request: Request, context: Context) => Promise<Response>;
export function publicApiRoute<Context>(handler: (request: Request, context: Context) => Promise<Response>): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    const url = new URL(request.url);
    // A Request built in-process (a test, a bridge) has no Host header, which an HTTP/1.1 client
    // always sends; then the URL's host is what the request is addressed to.
    const host = request.headers.get("host") ?? url.host;
    const refusal = frontDoorRefusal({ method: request.method, pathname: url.pathname, host, headers: request.headers });
    if (refusal) return jsonError(refusal.status, refusal.code, refusal.message);
    return handler(request, context);
  };
}
