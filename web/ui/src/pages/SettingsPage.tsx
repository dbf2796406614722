import { ConfigFileCard } from '../components/ConfigFileCard';
import { ConfigHistory } from '../components/ConfigHistory';
import { ErrorBox } from '../components/ErrorBox';
import { GatewaySettingsForm } from '../components/GatewaySettingsForm';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { useConfig, useDocumentTitle, useSchema } from '../live';
import { usePermissions } from '../me';
import { Link } from '../router';
import { subSchema } from '../schema-util';

/** Gateway settings, the configuration as a file, and the history of every applied change. */
export function SettingsPage() {
  useDocumentTitle('Settings');
  const { config, error: configError, reload } = useConfig();
  const { schema, error: schemaError } = useSchema();
  const { configure } = usePermissions();

  if (configError || schemaError) {
    return <ErrorBox error={configError ?? schemaError} title="Cannot read the configuration" />;
  }
  if (!config || !schema) return <p class="muted">Loading…</p>;
  const gatewaySchema = subSchema(schema.config, ['gateway']) ?? {};

  return (
    <section>
      <div class="page-head">
        <h1>Settings</h1>
      </div>
      <ReadOnlyBanner what="the gateway settings" />
      <p class="lead">
        Users and roles are on{' '}
        <Link href={configure ? '/users' : '/account'}>{configure ? 'Users' : 'Your account'}</Link>; your password and
        API tokens on <Link href="/account">Your account</Link>.
      </p>
      <div class="settings-grid">
        <GatewaySettingsForm config={config} gatewaySchema={gatewaySchema} onSaved={reload} />
        <ConfigFileCard onApplied={reload} />
      </div>
      <ConfigHistory version={config} onRolledBack={reload} />
    </section>
  );
}
