/**
 * Which topics this app may publish to or subscribe to on one pub/sub component, from the runtime
 * metadata daprd reads itself: `allowedTopics` (CSV, every app), `protectedTopics` (CSV, only apps that
 * are scoped to them), `publishingScopes` / `subscriptionScopes` (`app1=t1,t2;app2=t3`).
 */
export class TopicAcl {
  readonly #allowed: string[];
  readonly #protected: string[];
  readonly #publishing: string[];
  readonly #subscribing: string[];

  constructor(runtimeMetadata: Record<string, string>, appId: string) {
    this.#allowed = csv(runtimeMetadata.allowedTopics);
    this.#protected = csv(runtimeMetadata.protectedTopics);
    this.#publishing = scopedTopics(runtimeMetadata.publishingScopes, appId);
    this.#subscribing = scopedTopics(runtimeMetadata.subscriptionScopes, appId);
  }

  canPublish(topic: string): boolean {
    return this.#allowedWith(topic, this.#publishing);
  }

  canSubscribe(topic: string): boolean {
    return this.#allowedWith(topic, this.#subscribing);
  }

  /** daprd's IsOperationAllowed: allowedTopics first, then a protected topic needs an explicit scope. */
  #allowedWith(topic: string, scoped: string[]): boolean {
    if (this.#allowed.length > 0 && !this.#allowed.includes(topic)) return false;
    if (!this.#protected.includes(topic) && scoped.length === 0) return true;
    return scoped.includes(topic);
  }
}

function csv(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The topics listed for this app. `app1=` lists one empty topic, which denies every topic to app1 —
 * daprd's parsing gives the same result.
 */
function scopedTopics(text: string | undefined, appId: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== appId) continue;
    out.push(...part.slice(eq + 1).split(',').map((s) => s.trim()));
  }
  return out;
}
