// envsubst as faas-cli applies it to stack.yml before parsing (drone/envsubst): `${VAR}`,
// `${VAR:-default}` (unset or empty) and `${VAR-default}` (unset). `$$` escapes a dollar.
// `deucalion up` uses it to point the same stack.yml at local ports instead of cluster services.

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

export function substituteEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(PATTERN, (match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value === undefined || value === '' ? fallback! : value;
    if (op === '-') return value === undefined ? fallback! : value;
    return value ?? '';
  });
}
