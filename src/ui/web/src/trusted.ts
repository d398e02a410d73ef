/**
 * The page runs under `require-trusted-types-for 'script'`: no string reaches a script-URL or HTML
 * sink. The one policy lets same-origin script URLs through (the call graph worker) and nothing else.
 */
interface TrustedTypePolicyLike {
  createScriptURL(url: string): unknown;
}
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL: (url: string) => string }): TrustedTypePolicyLike;
}

let policy: TrustedTypePolicyLike | null | undefined;

function sameOriginOnly(url: string): string {
  const resolved = new URL(url, location.href);
  if (resolved.origin !== location.origin)
    throw new TypeError(`refusing cross-origin script URL ${resolved.origin}`);
  return resolved.href;
}

/** A script URL for `new Worker(...)`, vetted to be same-origin. */
export function trustedScriptUrl(url: string): string | URL {
  if (policy === undefined) {
    const factory = (window as unknown as { trustedTypes?: TrustedTypesLike }).trustedTypes;
    policy = factory ? factory.createPolicy("heapscope", { createScriptURL: sameOriginOnly }) : null;
  }
  if (policy === null) return sameOriginOnly(url);
  return policy.createScriptURL(url) as string;
}
