// The benchmark's baseline: the same runtime and D1, one trivial query, a fixed JSON answer.
export default {
  async fetch(_request, env) {
    await env.DB.prepare("SELECT 1 AS one").first();
    return new Response(JSON.stringify({ ok: true }), { headers: { "content-type": "application/json" } });
  },
};
