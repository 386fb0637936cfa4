import { z } from "zod";

/**
 * Input pieces shared by procedures. Ids are short URL-safe strings: anything else (a NUL,
 * a lone surrogate, a 10 kB blob) is refused with a 400 naming the field before it reaches
 * the database.
 */
export const idSchema = z
  .string()
  .min(1, "must not be empty")
  .max(100, "is too long for an id")
  .regex(/^[A-Za-z0-9_-]+$/, "is not a valid id");

/** int4 columns: a larger number would be a database error, not a 4xx. */
export const revisionSchema = z.number().int().min(0).max(2_147_483_647);

export const workflowName = z.string().trim().min(1, "Name is required").max(120);
export const personName = z.string().trim().min(1, "Name is required").max(100);
export const emailSchema = z.string().trim().toLowerCase().max(254).email("Enter an email address");
export const passwordSchema = z.string().min(1, "Password is required").max(128, "Passwords are at most 128 characters");
