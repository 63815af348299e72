/** Administrators: the agencies and staff of the area (they cannot read case records). */
import { api, listOf } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';

interface Agency {
  id: string;
  name: string;
  kind: string;
  area: string;
}
interface User {
  id: string;
  name: string;
  email: string;
  role: string;
  agencyId: string;
}

/** The admin page. */
export function AdminPage() {
  const data = useResource(async (signal) => {
    const [agencies, users] = await Promise.all([api('/agencies', { signal }), api('/users', { signal })]);
    return { agencies: listOf<Agency>(agencies), users: listOf<User>(users) };
  }, []);
  return (
    <section className="page">
      <h1>Agencies and staff</h1>
      {data.error && <ProblemMessage problem={data.error} onRetry={data.reload} />}
      {data.loading && <Loading what="Loading agencies and staff" />}
      {data.data && data.data.agencies.length === 0 && <Empty>No agencies yet.</Empty>}
      {data.data?.agencies.map((a) => {
        const staff = data.data?.users.filter((u) => u.agencyId === a.id) ?? [];
        return (
          <div className="panel" key={a.id}>
            <h2>
              {a.name} <span className="badge">{humanise(a.kind)}</span>
            </h2>
            {staff.length === 0 ? (
              <p className="muted">No staff accounts.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                  </tr>
                </thead>
                <tbody>
                  {staff.map((u) => (
                    <tr key={u.id}>
                      <td>{u.name}</td>
                      <td>{u.email}</td>
                      <td>{humanise(u.role)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
    </section>
  );
}
