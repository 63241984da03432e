// PostGraphile v5 "as its users secure it", the secured peer of the benchmark:
// graphile.config.mjs plus JWT verification, a per-request role and row level
// security (secured.sql) on a database of its own.
//
// Start (from this folder, after `npm ci`; the database has schema.sql and then
// secured.sql loaded, see README.md):
//   NODE_ENV=production BENCH_PGS_JWT_SECRET=... \
//     node_modules/.bin/node node_modules/.bin/postgraphile -C secured.config.mjs
//
// Every request may carry `Authorization: Bearer <JWT>`, HS256 with the secret
// BENCH_PGS_JWT_SECRET, audience "postgraphile", an expiry, and the claims
// `organization_id` (uuid) and `role` ("bench_user"); bench/jwt.py makes one.
// As the PostGraphile 5 JWT guide has it, the token is verified in
// `preset.grafast.context` and only the claims the policies need go to
// PostgreSQL through `pgSettings`: `role` (PostGraphile runs
// set_config('role', ..., true) in each request's transaction) and
// `jwt.claims.organization_id`, which the policies read with current_setting().
// Without a token the request runs as bench_anonymous with no organisation, and
// the policies let no row through. A bad or expired token is an error.
//
// Environment:
//   BENCH_PG_URL          connection string; it must be bench_authenticator (the
//                         NOINHERIT login role of secured.sql), not a superuser,
//                         or the policies would not apply to token-less requests
//                         (default postgres://bench_authenticator@127.0.0.1:5432/northstar_bench_pgs)
//   BENCH_PG_PORT         HTTP port (default 5680); binds 127.0.0.1 only.
//   BENCH_PGS_JWT_SECRET  the HS256 secret (required).
import jwt from "jsonwebtoken";
import base from "./graphile.config.mjs";
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString =
  process.env.BENCH_PG_URL ??
  "postgres://bench_authenticator@127.0.0.1:5432/northstar_bench_pgs";
const port = Number.parseInt(process.env.BENCH_PG_PORT ?? "5680", 10);
const secret = process.env.BENCH_PGS_JWT_SECRET;
if (!secret) {
  throw new Error("BENCH_PGS_JWT_SECRET is required (the JWTs' HS256 secret)");
}

// The roles a token may ask for; anything else is refused.
const TOKEN_ROLES = new Set(["bench_user"]);
const ANONYMOUS_ROLE = "bench_anonymous";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function claimsOf(authorization) {
  const [scheme, token] = authorization.split(" ");
  if (scheme.toLowerCase() !== "bearer" || !token) {
    throw Object.assign(new Error("Authorization must be 'Bearer <JWT>'"), {
      statusCode: 401,
    });
  }
  try {
    // Checks the signature, `exp` (required here) and the audience.
    const claims = jwt.verify(token, secret, {
      algorithms: ["HS256"],
      audience: "postgraphile",
    });
    if (typeof claims !== "object" || typeof claims.exp !== "number") {
      throw new Error("the token has no expiry");
    }
    return claims;
  } catch (e) {
    throw Object.assign(new Error(`Invalid JWT: ${e.message}`), {
      statusCode: 401,
    });
  }
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [base],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["bench"],
      poolConfig: { max: 20 },
      pubsub: false,
    }),
  ],
  grafserv: { ...base.grafserv, port },
  grafast: {
    ...base.grafast,
    async context(requestContext, args) {
      const authorization = requestContext.node?.req?.headers?.authorization;
      const pgSettings = { ...args.contextValue?.pgSettings };
      if (typeof authorization === "string" && authorization !== "") {
        const claims = claimsOf(authorization);
        if (!TOKEN_ROLES.has(claims.role)) {
          throw Object.assign(new Error("the token's role is not allowed"), {
            statusCode: 403,
          });
        }
        if (typeof claims.organization_id !== "string" || !UUID.test(claims.organization_id)) {
          throw Object.assign(new Error("the token has no organization_id"), {
            statusCode: 401,
          });
        }
        pgSettings.role = claims.role;
        pgSettings["jwt.claims.organization_id"] = claims.organization_id;
      } else {
        pgSettings.role = ANONYMOUS_ROLE;
      }
      return { ...args.contextValue, pgSettings };
    },
  },
};

export default preset;
