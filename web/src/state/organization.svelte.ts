/** The organisation page: members and invites, API keys (each shown once), bulk imports and webhooks. */
import type { ImportProgress, ImportView } from '../../../domain/imports.js';
import type { ApiKeyScope, ApiKeyView, InviteView, MemberView, OrganizationRole, OrganizationView } from '../../../domain/organizations.js';
import { api, ApiError } from '../lib/api.js';
import type { LiveClient } from '../lib/live-client.js';
import { connectSignedIn } from './live.js';

export class OrganizationDesk {
  organizations = $state<OrganizationView[]>([]);
  /** The organisation being managed; requests from every page act in it (X-Organization-Id). */
  currentId = $state<string | null>(api.http.organizationId);
  members = $state<MemberView[]>([]);
  invites = $state<InviteView[]>([]);
  keys = $state<ApiKeyView[]>([]);
  /** A new key or invite link, shown until the page is left: it is never shown again. */
  revealed = $state<{ kind: 'key' | 'invite'; value: string } | null>(null);
  upload = $state<ImportView | null>(null);
  error = $state('');
  private live: LiveClient | null = null;

  readonly current = $derived(this.organizations.find((o) => o.id === this.currentId) ?? null);
  readonly isOwner = $derived(this.current?.role === 'owner');

  async start(inviteToken?: string): Promise<void> {
    await this.run(async () => {
      if (inviteToken) {
        const joined = await api.organizations.join(inviteToken);
        this.currentId = joined.id;
      }
      this.organizations = await api.organizations.list();
      if (!this.current) this.currentId = this.organizations[0]?.id ?? null;
      await this.select(this.currentId);
    });
  }

  stop(): void {
    this.live?.close();
  }

  async select(id: string | null): Promise<void> {
    this.currentId = id;
    api.http.organizationId = id;
    this.revealed = null;
    this.upload = null;
    this.live?.close();
    this.live = null;
    if (!id) return;
    await this.run(async () => {
      this.members = await api.organizations.members(id);
      [this.invites, this.keys] = this.isOwner ? await Promise.all([api.organizations.invites(id), api.organizations.keys(id)]) : [[], []];
    });
    this.live = await connectSignedIn({
      organizationId: id,
      onDelivery: () => {},
      onImport: (progress) => this.progressed(progress),
    });
  }

  async create(name: string): Promise<void> {
    await this.run(async () => {
      const created = await api.organizations.create(name);
      this.organizations = [...this.organizations, created];
      await this.select(created.id);
    });
  }

  async invite(email: string, role: OrganizationRole): Promise<void> {
    await this.run(async () => {
      const invite = await api.organizations.invite(this.currentId!, { email, role });
      this.revealed = { kind: 'invite', value: invite.acceptUrl };
      this.invites = await api.organizations.invites(this.currentId!);
    });
  }

  async remove(userId: string): Promise<void> {
    await this.run(async () => {
      await api.organizations.removeMember(this.currentId!, userId);
      this.members = this.members.filter((m) => m.userId !== userId);
    });
  }

  async createKey(name: string, scopes: ApiKeyScope[]): Promise<void> {
    await this.run(async () => {
      const created = await api.organizations.createKey(this.currentId!, { name, scopes });
      this.revealed = { kind: 'key', value: created.key };
      this.keys = await api.organizations.keys(this.currentId!);
    });
  }

  async revoke(keyId: string): Promise<void> {
    await this.run(async () => {
      await api.organizations.revokeKey(this.currentId!, keyId);
      this.keys = await api.organizations.keys(this.currentId!);
    });
  }

  async importCsv(csv: string): Promise<void> {
    await this.run(async () => {
      this.upload = await api.imports.upload(csv);
      // The socket carries progress; a last read brings the refused rows and covers a lost message.
      void this.poll(this.upload.id);
    });
  }

  private progressed(progress: ImportProgress): void {
    if (!this.upload || this.upload.id !== progress.id) return;
    if (progress.created + progress.duplicates < this.upload.created + this.upload.duplicates) return;
    this.upload = { ...this.upload, ...progress };
  }

  private async poll(id: string): Promise<void> {
    while (this.upload?.id === id && this.upload.status !== 'done') {
      await new Promise((r) => setTimeout(r, 2000));
      const fresh = await api.imports.get(id).catch(() => null);
      if (fresh && this.upload?.id === id) this.upload = fresh;
    }
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await fn();
    } catch (err) {
      this.error = err instanceof ApiError ? err.summary : String(err);
    }
  }
}
