// A minimal Better Auth server for Charter's tests (007-better-auth-backend
// FR-007): email and password, and the JWT plugin, on the PostgreSQL
// database DATABASE_URL names, at http://127.0.0.1:PORT. It migrates its
// database, says "listening on <url>" on stderr, and serves Better Auth's
// HTTP API. POST /test/key makes a new signing key (Better Auth's own
// createJwk); POST /test/sign signs the JSON body's claims with the
// current key (its server-only signJWT), for tokens a user cannot get:
// expired, or for another audience. Test-only: nothing else may reach it.
import http from "node:http";
import pg from "pg";
import { betterAuth } from "better-auth";
import { jwt, createJwk, signJWT } from "better-auth/plugins";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL }),
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  trustedOrigins: [baseURL],
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
const betterAuthHandler = toNodeHandler(auth);

async function body(request) {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text ? JSON.parse(text) : {};
}

http
  .createServer(async (request, response) => {
    try {
      if (request.method === "POST" && request.url === "/test/key") {
        const ctx = { context: await auth.$context };
        const key = await createJwk(ctx, {});
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ kid: key.id }));
        return;
      }
      if (request.method === "POST" && request.url === "/test/sign") {
        const ctx = { context: await auth.$context };
        const token = await signJWT(ctx, { payload: await body(request) });
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ token }));
        return;
      }
      await betterAuthHandler(request, response);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error?.stack ?? error));
    }
  })
  .listen(port, "127.0.0.1", () => console.error(`listening on ${baseURL}`));
