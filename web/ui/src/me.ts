import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api';

/** The logged-in user, provided by the app once the login is known. */
export const MeContext = createContext<Me | undefined>(undefined);

export function useMe(): Me | undefined {
  return useContext(MeContext);
}

export interface Permissions {
  /** Change the configuration (devices, tags, north apps), import tags, trust certificates, manage users. */
  configure: boolean;
  /** Write tag values and restart devices. */
  operate: boolean;
}

/**
 * What the logged-in user's role may do; the gateway checks the same and answers 403
 * `forbidden` otherwise. Controls a role may not use are not offered.
 */
export function usePermissions(): Permissions {
  const role = useMe()?.role;
  return { configure: role === 'admin', operate: role === 'admin' || role === 'operator' };
}

export const ROLE_HELP: Record<Me['role'], string> = {
  admin: 'everything: configuration, certificates and users',
  operator: 'reads, writes tag values and restarts devices',
  viewer: 'reads only',
};
