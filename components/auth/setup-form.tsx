"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, errorPath, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/text-field";
import { reloadAt } from "@/components/session/session-context";

const PASSWORD_HINT = "At least 10 characters. A few unrelated words make a strong one.";

/** A password being chosen: the rules in the hint, the browser told it is a new one. */
export function NewPasswordField({ label, value, onChange, error }: { label: string; value: string; onChange: (value: string) => void; error: string | null }) {
  return (
    <TextField
      label={label}
      type="password"
      autoComplete="new-password"
      required
      minLength={10}
      maxLength={128}
      hint={PASSWORD_HINT}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
    />
  );
}

/** First start: the owner account, who lands in a workspace with the sample workflow. */
export function SetupForm() {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const create = useMutation(trpc.setup.createOwner.mutationOptions({ onSuccess: () => reloadAt("/workflows") }));
  const fieldError = (field: string) => (create.isError && errorPath(create.error) === field ? errorMessage(create.error) : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    create.mutate({ name: name.trim(), email: email.trim(), password });
  };

  const generalError = create.isError && !["name", "email", "password"].includes(errorPath(create.error) ?? "") ? errorMessage(create.error) : null;
  return (
    <div>
      <h1 className="text-lg font-semibold text-slate-900">Create the owner account</h1>
      <p className="mt-1 text-sm text-slate-600">This is a new AgentFlow. The first account owns it: you can invite your team next.</p>
      <form onSubmit={submit} className="mt-4 space-y-3">
        <TextField label="Your name" autoComplete="name" required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} error={fieldError("name")} />
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} error={fieldError("email")} />
        <NewPasswordField label="Password" value={password} onChange={setPassword} error={fieldError("password")} />
        <TextField
          label="Repeat the password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          error={mismatch ? "The two passwords differ" : null}
        />
        <FormError message={generalError} />
        <Button type="submit" variant="primary" className="w-full" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create account"}
        </Button>
      </form>
    </div>
  );
}
