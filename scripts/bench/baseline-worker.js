// The machine's limit for this stack, measured beside our worker in every benchmark run:
// a constant route and a one-row D1 insert, with nothing else in the way.
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/insert") {
      await env.DB.prepare("INSERT INTO bench_row (id, created, value) VALUES (?1, ?2, ?3)")
        .bind(crypto.randomUUID(), new Date().toISOString(), "x")
        .run();
      return Response.json({ ok: true }, { status: 201 });
    }
    return Response.json(true);
  },
};
