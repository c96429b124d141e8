/** Who acts on a registration, and from where (for the audit trail). */
export interface Actor {
  /** The user's id (`sub`). */
  id: string;
  ip: string | null;
  /** Holds `clients:review`: may see every registration. */
  isReviewer: boolean;
}
