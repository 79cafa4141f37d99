'use strict';
// A small Node.js service instrumented with the OpenTelemetry JS SDK the
// way its documentation shows, for tokenaudit's integration test
// (integration/sdk_js_test.go). Nothing here shapes the telemetry for
// tokenaudit: the spans are what @opentelemetry/instrumentation-http
// makes, with the one option a user sets to see credentials,
// headersToSpanAttributes; the logs are the service's own access lines.
//
// The process is both sides:
//   - a plain `http` server: /health answers 200; every other route wants
//     a credential (Authorization: Bearer <JWT> verified with HS256, or an
//     API key in X-API-Key or ?api_key=) and answers 401 without a valid
//     one, 403 when its scopes do not cover the route, else 200;
//   - a client that sends the scripted requests of SDKJS_REQUESTS to it,
//     checks each answer, then flushes and shuts the SDK down.
//
// Environment:
//   OTEL_EXPORTER_OTLP_ENDPOINT  the collector's OTLP/HTTP endpoint (the SDK reads it)
//   OTEL_SERVICE_NAME            the service's name (the SDK reads it)
//   SDKJS_JWT_SECRET             the issuer's HMAC secret the server verifies JWTs with
//   SDKJS_API_KEYS               JSON {"<key>": ["scope", ...]}: the server's API keys
//   SDKJS_REQUESTS               JSON [{"method", "path", "headers", "repeat", "expect"}]

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })],
  metricReaders: [],
  instrumentations: [
    new HttpInstrumentation({
      // How a user records who called: the request's credential headers.
      headersToSpanAttributes: { server: { requestHeaders: ['authorization', 'x-api-key'] } },
    }),
  ],
});
sdk.start();

// Required after sdk.start(): the instrumentation patches `http` as it loads.
const http = require('node:http');
const crypto = require('node:crypto');
const { logs, SeverityNumber } = require('@opentelemetry/api-logs');

const jwtSecret = process.env.SDKJS_JWT_SECRET || '';
const apiKeys = JSON.parse(process.env.SDKJS_API_KEYS || '{}');
const requests = JSON.parse(process.env.SDKJS_REQUESTS || '[]');
const logger = logs.getLogger('sdkjs-orders');

// The scope each route needs; a route not listed here is not served.
function requiredScope(method, path) {
  if (path === '/orders' || path.startsWith('/orders/')) return method === 'GET' ? 'orders:read' : 'orders:write';
  if (path.startsWith('/billing/')) return 'billing:read';
  return null;
}

// verifyJWT returns the claims of a valid HS256 JWT, else null.
function verifyJWT(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  } catch {
    return null;
  }
  if (header.alg !== 'HS256') return null;
  const want = crypto.createHmac('sha256', jwtSecret).update(parts[0] + '.' + parts[1]).digest();
  const got = Buffer.from(parts[2], 'base64url');
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
  const now = Date.now() / 1000;
  if (typeof claims.exp === 'number' && claims.exp <= now) return null;
  if (typeof claims.nbf === 'number' && claims.nbf > now) return null;
  return claims;
}

// scopesOf returns the scopes of the request's credential, or null when
// it has none or an invalid one (401).
function scopesOf(req, url) {
  const auth = req.headers.authorization || '';
  if (auth.startsWith('Bearer ')) {
    const claims = verifyJWT(auth.slice(7));
    return claims ? String(claims.scope || '').split(' ').filter(Boolean) : null;
  }
  const key = req.headers['x-api-key'] || url.searchParams.get('api_key');
  if (key) return Object.prototype.hasOwnProperty.call(apiKeys, key) ? apiKeys[key] : null;
  return null;
}

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  let status;
  if (url.pathname === '/health') {
    status = 200;
  } else {
    const need = requiredScope(req.method, url.pathname);
    const scopes = scopesOf(req, url);
    if (need === null) status = 404;
    else if (scopes === null) status = 401;
    else if (!scopes.includes(need)) status = 403;
    else status = 200;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status }));
  // The access line a service writes: its request line as received.
  logger.emit({
    severityNumber: status >= 400 ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: status >= 400 ? 'WARN' : 'INFO',
    body: `${req.method} ${req.url} ${status}`,
  });
}

function send(port, r) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers || {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main() {
  const server = http.createServer(handle);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  let sent = 0;
  const wrong = [];
  for (const r of requests) {
    for (let i = 0; i < (r.repeat || 1); i++) {
      const status = await send(port, r);
      sent++;
      if (status !== r.expect) wrong.push(`${r.name}: ${status}, want ${r.expect}`);
    }
  }
  await new Promise((resolve) => server.close(resolve));
  await sdk.shutdown(); // flushes the spans and logs
  if (wrong.length > 0) {
    console.error(`unexpected answers:\n${wrong.join('\n')}`);
    process.exit(1);
  }
  console.log(`sent ${sent} requests`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
