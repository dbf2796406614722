import { explainCode, isCertificateUntrusted } from '../plugins';
import { Link } from '../router';

/**
 * A device's error code with its one-line explanation, and what to do about it where the UI can help: an untrusted OPC UA
 * server certificate links to the Certificates page.
 */
export function DeviceError({ error, compact }: { error: string | undefined; compact?: boolean }) {
  if (!error) return compact ? null : <span class="muted">—</span>;
  return (
    <>
      <span class="text-bad">{error}</span>
      {explainCode(error) ? <span class="error-explanation"> — {explainCode(error)}</span> : null}
      {isCertificateUntrusted(error) ? <CertificateHint /> : null}
    </>
  );
}

export function CertificateHint() {
  return (
    <div class="cell-note hint-cert" data-testid="certificate-hint">
      The server's certificate is not trusted yet.{' '}
      <Link href="/certificates" class="strong-link">
        Check and trust it on the Certificates page
      </Link>
      , then restart the device.
    </div>
  );
}
