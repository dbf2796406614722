/**
 * Whether a write asks for confirmation (old → new value) before it is sent. On unless the
 * user turned it off; kept per user name in this browser's localStorage, so each operator
 * decides for themselves and the choice survives a reload and a new login.
 */
const key = (username: string) => `tagwire.askBeforeWriting.${username}`;

export function asksBeforeWriting(username: string): boolean {
  try {
    return localStorage.getItem(key(username)) !== 'off';
  } catch {
    // Storage blocked (private mode, policy): the safe default.
    return true;
  }
}

export function setAskBeforeWriting(username: string, ask: boolean): void {
  try {
    if (ask) localStorage.removeItem(key(username));
    else localStorage.setItem(key(username), 'off');
  } catch {
    // Not kept: the dialog still follows the choice until it closes.
  }
}
