/** better-sqlite3 ships no types and @types/better-sqlite3 is not a dependency: `ledger.ts` states the parts it uses. */
declare module "better-sqlite3" {
  const Database: unknown
  export default Database
}
