/** A broker URL fit for logs: user name and password taken out (`mqtt://***@host`). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
