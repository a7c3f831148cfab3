/** Turns Dapr's SQLite `connectionString` (a path, a `file:` URI or `:memory:`) into better-sqlite3 arguments. */
export function parseConnectionString(connectionString: string): { filename: string; readonly: boolean } {
  if (!connectionString.startsWith('file:')) return { filename: connectionString, readonly: false };
  const [rawPath, query = ''] = connectionString.slice('file:'.length).split('?', 2);
  const params = new URLSearchParams(query);
  const mode = params.get('mode');
  const path = decodeURIComponent(rawPath.replace(/^\/\/(localhost)?(?=\/)/, ''));
  if (mode === 'memory' || path === ':memory:') return { filename: ':memory:', readonly: false };
  return { filename: path, readonly: mode === 'ro' };
}
