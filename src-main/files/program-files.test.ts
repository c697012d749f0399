import { describe, expect, it } from 'vitest';
import { isProgram } from './program-files.js';

describe('isProgram: what Open refuses to run', () => {
  it('programs, scripts, installers and shortcuts of each desktop, whatever the case', () => {
    for (const name of ['setup.exe', 'RUN.BAT', 'x.ps1', 'invoice.pdf.js', 'Tool.app', 'a.command', 'x.desktop', 'x.AppImage', 'lib.jar', 'go.sh', 'link.lnk', 'p.pkg'])
      expect(isProgram(`/downloads/${name}`), name).toBe(true);
  });
  it('documents, media and archives open', () => {
    for (const name of ['report.pdf', 'photo.JPG', 'movie.mkv', 'notes.txt', 'data.zip', 'README', '.hidden', 'archive.tar.gz', 'exe'])
      expect(isProgram(`/downloads/${name}`), name).toBe(false);
  });
});
