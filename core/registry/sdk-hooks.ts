// Module resolve hook (node:module register; runs on the loader thread): `dgp-gateway[/subpath]` imported from
// outside the host resolves to the host's own module. See sdk-link.ts.
interface LinkData {
  entries: Record<string, string>;
}

interface ResolveContext {
  parentURL?: string;
}

type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

let data: LinkData = { entries: {} };

export function initialize(d: LinkData): void {
  data = d;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  const url = data.entries[specifier];
  // The rest of the chain resolves the host's file (a TypeScript loader, when the host runs from source, sets its format).
  return next(url ?? specifier, context);
}
