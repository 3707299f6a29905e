/**
 * TypeScript declarations of /embed/sdk.js (DESIGN §6), served beside it. The script sets the
 * global `Embed`; reference this file (e.g. `/// <reference path="./embed-sdk.d.ts" />`) to type it.
 */
declare namespace Embed {
  /** Why the SDK asks for a credential. */
  type TokenReason = 'initial' | 'expiring' | 'expired';

  interface TokenRequest {
    reason: TokenReason;
    /** The session the chat shows, when known: ask your backend to continue it. */
    sessionId: string | null;
  }

  /**
   * What fetchToken answers: an embed token (a JWT), an `embedUrl` (flow A, `#token=`), a flow C
   * page URL with `?token=`, or an `iframe_url` (flow D), from the same server as the chat.
   */
  type Credential = string;

  interface LauncherOptions {
    /** The button's visible label; default "Chat". */
    label?: string;
    position?: 'bottom-right' | 'bottom-left';
  }

  interface MountOptions {
    /**
     * An `embedUrl`, an `iframe_url`, a flow C page (`…/embed/agents/{agentId}`), or the server's
     * base URL together with `agent`. A token in it is removed before it becomes the frame's src.
     * Without it, the first fetchToken() answer must be an `embedUrl` or `iframe_url`.
     */
    url?: string;
    /** Flow C: the agent, when `url` is the server's base URL. */
    agent?: string;
    /** Asks your backend for a fresh credential; called first (when `url` has none), before expiry, and when the chat says it expired. */
    fetchToken?: (request: TokenRequest) => Credential | Promise<Credential>;
    onEvent?: (event: ChatEvent) => void;
    /** Show a floating button that opens the chat in a panel (Escape closes it). */
    launcher?: boolean | LauncherOptions;
    /** The frame's (and the panel's) accessible name; default "Chat". */
    title?: string;
    /** A number of pixels or a CSS length; inline default 100% by 600px. */
    width?: number | string;
    height?: number | string;
    /** How long before the token's expiry to renew it; default 60. */
    renewBeforeSeconds?: number;
  }

  interface ReadyEvent {
    type: 'ready';
    sessionId: string | null;
  }

  /** An assistant message arrived. Its text stays in the chat frame. */
  interface AssistantMessageEvent {
    type: 'message';
    id: string;
    role: 'assistant';
    sessionId: string | null;
    createdAt: string | null;
  }

  interface TokenExpiredEvent {
    type: 'token-expired';
    sessionId: string | null;
  }

  type ErrorCode =
    'ended' | 'link-expired' | 'no-session' | 'fetch-token-failed' | 'invalid-credential' | 'invalid-url' | 'error';

  interface ErrorEvent {
    type: 'error';
    code: ErrorCode;
    message: string;
    sessionId?: string | null;
  }

  type ChatEvent = ReadyEvent | AssistantMessageEvent | TokenExpiredEvent | ErrorEvent;

  interface Chat {
    /** The chat's iframe. */
    readonly frame: HTMLIFrameElement;
    /** Whether the launcher's panel is open (always true inline). */
    readonly isOpen: boolean;
    /** Launcher mode: opens the panel and moves focus into the chat. */
    open(): void;
    /** Launcher mode: closes the panel; focus returns to the launcher button. */
    close(): void;
    /** Removes the chat (and the launcher), forgets its credential and stops renewing. */
    destroy(): void;
  }

  /** Mounts the chat in `element`, or (launcher mode) a launcher in `element` or the body. */
  function mount(element: Element | null, options: MountOptions): Chat;

  const version: string;
}
