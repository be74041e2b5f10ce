/** The `file` storage profile (the server's own file system): no field but `type`, no secret (docs/storage.md). */
import { z } from 'zod';

export const FileProfileSchema = z.object({ type: z.literal('file') });
export type FileProfile = z.infer<typeof FileProfileSchema>;
