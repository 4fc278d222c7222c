-- Question: Who were the top 10 customers by revenue in 2023?
-- Description: Revenue per customer from orders placed in 2023; cancelled and returned orders do not count.
SELECT c.customer_id,
       c.name,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.customer_id
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date >= '2023-01-01' AND o.order_date < '2024-01-01'
GROUP BY c.customer_id, c.name
ORDER BY revenue DESC
LIMIT 10;
