import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { StateBadge } from '../components/Badges';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { RestartButton } from '../components/RestartButton';
import { useDocumentTitle, useStatus } from '../live';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { isCertificateUntrusted } from '../plugins';
import { devicePath, Link } from '../router';
import type { CertificateInfo } from '../types';

const POLL_MS = 5000;

const day = (iso: string) => iso.slice(0, 10);

/** "ab12cd…" → "ab12 cd34 …": easier to compare with what the server shows. */
const grouped = (thumbprint: string) => thumbprint.replace(/(.{4})(?=.)/g, '$1 ');

function validity(c: CertificateInfo, now: number): { text: string; bad: boolean } {
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  if (now > to) return { text: `expired on ${day(c.validTo)}`, bad: true };
  if (now < from) return { text: `not valid before ${day(c.validFrom)}`, bad: true };
  return { text: `${day(c.validFrom)} – ${day(c.validTo)}`, bad: false };
}

/**
 * Server certificates (OPC UA): an unknown one is listed as rejected until an admin trusts
 * it; devices waiting for one are listed with a Restart button to connect at once.
 */
export function CertificatesPage() {
  useDocumentTitle('Certificates');
  const { configure } = usePermissions();
  const { status } = useStatus();
  const [list, setList] = useState<CertificateInfo[]>();
  const [error, setError] = useState<ApiError>();
  const [actionError, setActionError] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();
  const [removing, setRemoving] = useState<CertificateInfo>();

  const reload = useCallback(async () => {
    try {
      setList(await api<CertificateInfo[]>('GET', '/api/v1/certificates'));
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  }, []);

  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  const waiting = (status?.devices ?? []).filter((d) => isCertificateUntrusted(d.error));

  const act = async (c: CertificateInfo, method: 'POST' | 'DELETE') => {
    setBusy(c.thumbprint);
    setActionError(undefined);
    try {
      const path = `/api/v1/certificates/${c.thumbprint}${method === 'POST' ? '/trust' : ''}`;
      const res = await api<{ reconnecting?: string[] }>(method, path);
      const reconnecting = res?.reconnecting ?? [];
      notify(
        method === 'POST'
          ? reconnecting.length > 0
            ? `Certificate trusted; ${reconnecting.join(', ')} ${reconnecting.length === 1 ? 'tries' : 'try'} to connect again now.`
            : 'Certificate trusted. Devices use it from their next connection.'
          : 'Certificate removed. A server presenting it is refused (and listed again) on its next connection.',
      );
      await reload();
    } catch (err) {
      setActionError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(undefined);
    }
  };

  const now = Date.now();
  return (
    <section>
      <div class="page-head">
        <h1>Certificates</h1>
        <button type="button" class="button push-right" onClick={() => void reload()}>
          Reload
        </button>
      </div>
      <p class="lead">
        Certificates of the OPC UA servers the devices connect to. A server the gateway has not seen before is{' '}
        <strong>rejected</strong> until it is trusted here — compare the thumbprint with the one the server shows.
      </p>
      <ReadOnlyBanner what="the certificates" />
      <ErrorBox error={error} title="Cannot read the certificates" />
      <ErrorBox error={actionError} />

      {waiting.length > 0 ? (
        <div class="card waiting-card" data-testid="waiting-devices">
          <h2 class="card-title">Devices waiting for a trusted server certificate</h2>
          <ul class="waiting-list">
            {waiting.map((d) => (
              <li key={d.name}>
                <StateBadge state={d.state} />{' '}
                <Link href={devicePath(d.name, '/tags')} class="strong-link">
                  {d.name}
                </Link>{' '}
                <span class="muted">— trust its server's certificate below, then</span>{' '}
                <RestartButton device={d.name} small />
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {list && list.length === 0 ? (
        <p class="empty">
          No server certificates yet. They appear here when an OPC UA device with security (Sign or SignAndEncrypt)
          first connects to its server.
        </p>
      ) : null}
      {list && list.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="certificates-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Subject</th>
                <th>Thumbprint (SHA-1)</th>
                <th>Valid</th>
                <th>Driver</th>
                <th class="actions-col">{configure ? 'Actions' : ''}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => {
                const valid = validity(c, now);
                return (
                  <tr key={c.thumbprint} data-thumbprint={c.thumbprint}>
                    <td>
                      <span class={`badge cert-${c.status}`} data-status={c.status}>
                        <span class="badge-dot" aria-hidden="true" />
                        {c.status === 'trusted' ? 'Trusted' : 'Rejected'}
                      </span>
                    </td>
                    <td class="wrap-cell">
                      <strong>{c.subject}</strong>
                      {c.applicationUri ? <div class="cell-note">{c.applicationUri}</div> : null}
                      {c.issuer ? <div class="cell-note">issued by {c.issuer}</div> : null}
                    </td>
                    <td>
                      <code class="thumbprint">{grouped(c.thumbprint)}</code>
                    </td>
                    <td class={valid.bad ? 'text-bad' : ''}>{valid.text}</td>
                    <td>{c.driver}</td>
                    <td class="actions">
                      {configure && c.status === 'rejected' ? (
                        <button
                          type="button"
                          class="button small primary"
                          disabled={busy === c.thumbprint}
                          onClick={() => void act(c, 'POST')}
                        >
                          Trust
                        </button>
                      ) : null}
                      {configure ? (
                        <button
                          type="button"
                          class="button small danger-outline"
                          disabled={busy === c.thumbprint}
                          onClick={() => setRemoving(c)}
                        >
                          Remove
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {removing ? (
        <ConfirmDialog
          title="Remove this certificate?"
          message={`${removing.subject} (${grouped(removing.thumbprint)}) is removed from the ${removing.status} list. A device connecting to this server is refused until the certificate is trusted again.`}
          confirmLabel="Remove certificate"
          onCancel={() => setRemoving(undefined)}
          onConfirm={() => {
            const c = removing;
            setRemoving(undefined);
            void act(c, 'DELETE');
          }}
        />
      ) : null}
    </section>
  );
}
