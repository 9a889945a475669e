/**
 * Ways to break the reference server's replies on purpose, for the tests that show the conformance suite catches a
 * server that breaks the contract: a dropped required field, an undocumented status, a wrong content type, and
 * corrupted download bytes.
 */

/** The reply `res` to `request`, broken in one of the four ways when the request is one they target. */
export async function breakResponse(request: Request, res: Response): Promise<Response> {
  const { pathname } = new URL(request.url);
  const headers = new Headers(res.headers);
  if (request.method === "GET" && pathname === "/v1/settings/application" && res.status === 200) {
    const body = (await res.json()) as { settings: { application: Record<string, unknown> } };
    delete body.settings.application.wa_id;
    headers.delete("content-length");
    return new Response(JSON.stringify(body), { status: 200, headers });
  }
  if (request.method === "DELETE" && pathname.startsWith("/v1/media/") && res.status === 404)
    return new Response(res.body, { status: 410, headers });
  if (request.method === "GET" && pathname === "/v1/settings/application/media/providers" && res.status === 200) {
    headers.set("content-type", "text/plain");
    return new Response(res.body, { status: 200, headers });
  }
  if (request.method === "GET" && pathname.startsWith("/v1/media/") && res.status === 200) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    return new Response(bytes, { status: 200, headers });
  }
  return res;
}
