/**
 * Handles each WebSocket's messages one after another, even across awaits (e.g. an auth check
 * before the next message reads the socket's stage). Keyed by the id in the socket's attachment,
 * not by the WebSocket object: a hibernatable socket may reach the object as a different object
 * from one message to the next.
 */
export class SocketInbox {
  private readonly queues = new Map<string, Promise<void>>();

  handle(ws: WebSocket, handler: () => Promise<void>): Promise<void> {
    const key = (ws.deserializeAttachment() as { id?: string } | null)?.id;
    if (!key) return handler();
    const handled = (this.queues.get(key) ?? Promise.resolve()).then(handler);
    const settled = handled.catch(() => undefined);
    this.queues.set(key, settled);
    // Forget the queue once idle, so closed sockets leave nothing behind.
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return handled;
  }
}
