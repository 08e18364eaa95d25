import { createContext, type ReactNode, useContext } from 'react';
import type { Permission } from '../api/identity';
import type { Me } from '../api/types';

const SessionContext = createContext<Me | null>(null);

/** Provided by the frame once the user is signed in: every page inside it may rely on a session. */
export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

/** The signed-in user, acting organisation, roles and permissions. Only inside the frame. */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession() outside the signed-in frame');
  return me;
}

export function hasPermission(me: Pick<Me, 'permissions'>, permission: Permission): boolean {
  return me.permissions.includes(permission);
}

/** Whether the acting role(s) may do this; the server checks again, this only hides what would be refused. */
export function useCan(permission: Permission): boolean {
  return hasPermission(useSession(), permission);
}
