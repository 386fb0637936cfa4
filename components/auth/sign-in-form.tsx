"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { reloadAt } from "@/components/session/session-context";

/** Email and password (better-auth's endpoint), and SSO when the server has a provider configured. */
export function SignInForm({ next, sso, initialError }: { next: string; sso: { name: string } | null; initialError: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError ? "Single sign-on did not complete; try again or sign in with your password." : null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: email.trim(), password }),
      });
      if (response.ok) {
        reloadAt(next);
        return;
      }
      setError(response.status === 429 ? "Too many attempts: wait a minute and try again." : "That email and password do not match an account.");
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setPending(false);
  };

  const signInWithSso = async () => {
    setPending(true);
    setError(null);
    const response = await fetch("/api/auth/sign-in/social", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "sso", callbackURL: next, errorCallbackURL: "/sign-in?error=sso" }),
    }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as { url?: string } | null;
    if (response?.ok && body?.url) {
      reloadAt(body.url);
      return;
    }
    setError("Single sign-on is not reachable right now.");
    setPending(false);
  };

  return (
    <div>
      <h1 className="text-lg font-semibold text-slate-900">Sign in</h1>
      <form onSubmit={(event) => void submit(event)} className="mt-4 space-y-3">
        <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        <FormError message={error} />
        <Button type="submit" variant="primary" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {sso && (
        <>
          <div className="my-4 flex items-center gap-3 text-xs text-slate-400">
            <span className="h-px flex-1 bg-slate-200" /> or <span className="h-px flex-1 bg-slate-200" />
          </div>
          <Button className="w-full" disabled={pending} onClick={() => void signInWithSso()}>
            Sign in with {sso.name}
          </Button>
        </>
      )}
      <p className="mt-4 text-xs text-slate-500">New here? Ask a workspace admin for an invite link.</p>
    </div>
  );
}
