/** A running throwaway cluster (see postgres-cluster.mjs). */
export interface ThrowawayCluster {
  /** The superuser URL, with its password. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly dir: string
  /** Stops the server at once and removes its folder. */
  readonly stop: () => void
}

/** The folder holding initdb, pg_ctl and pg_isready, or undefined when PostgreSQL is not installed. */
export declare const postgresBinDir: () => string | undefined

/** Starts a cluster on a free port of 127.0.0.1 and waits until it accepts connections. */
export declare const startCluster: (options?: {
  readonly durable?: boolean
  readonly maxConnections?: number
}) => Promise<ThrowawayCluster>
