/** What went wrong with the control just used, in words, announced (nothing when all is well). */
export function ErrorLine({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="field-error">
      {error}
    </p>
  );
}
