// PostGraphile v5 configuration for the Northstar benchmark.
//
// Start (from this folder, after `npm ci`):
//   NODE_ENV=production node_modules/.bin/node node_modules/.bin/postgraphile -C graphile.config.mjs
// (or `npm start`). PostGraphile 5 needs Node >= 22 (it calls
// Promise.withResolvers); the `node` package pinned in package.json puts
// Node 22 at node_modules/.bin/node, so the machine's own Node may be older.
//
// Environment:
//   BENCH_PG_URL   connection string (default postgres://postgres@127.0.0.1:5432/northstar_bench_pg)
//   BENCH_PG_PORT  HTTP port (default 5678); the server binds 127.0.0.1 only.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

if (typeof Promise.withResolvers !== "function") {
  throw new Error(
    `PostGraphile 5 needs Node >= 22, this is ${process.version}: ` +
      "start it with node_modules/.bin/node (see README.md)",
  );
}

const connectionString =
  process.env.BENCH_PG_URL ??
  "postgres://postgres@127.0.0.1:5432/northstar_bench_pg";
const port = Number.parseInt(process.env.BENCH_PG_PORT ?? "5678", 10);

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["bench"],
      // Same pool size as the Northstar server's database pool (its default, 20).
      poolConfig: { max: 20 },
      // No subscriptions in this benchmark: no LISTEN/NOTIFY client.
      pubsub: false,
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port,
    graphqlPath: "/graphql",
    // Production: no GraphiQL/Ruru, no watch mode, no websockets.
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    // Never let clients ask for plans/SQL.
    explain: false,
  },
};

export default preset;
